using Microsoft.Extensions.Options;
using TokenProxy.Providers;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Providers;

public sealed class ProviderCatalogTests
{
    private static readonly PresetLibrary Presets = new();

    [Theory]
    [InlineData("github")]
    [InlineData("gitlab")]
    [InlineData("google")]
    [InlineData("slack")]
    [InlineData("linear")]
    public void Shipped_presets_are_valid_https_providers(string name)
    {
        var catalog = Catalog(new());

        Assert.True(catalog.TryGet(name, out var provider));
        Assert.Equal("https", provider.ApiBaseUrl!.Scheme);
        Assert.Equal("https", provider.AuthorizationUrl!.Scheme);
        Assert.Equal("https", provider.TokenUrl!.Scheme);
        Assert.False(provider.CanConnect, "A preset without a client id cannot connect yet.");
    }

    [Fact]
    public void Presets_carry_the_provider_quirks()
    {
        var catalog = Catalog(new());

        catalog.TryGet("google", out var google);
        Assert.Equal("offline", google!.AuthorizationParameters["access_type"]);
        Assert.Equal("consent", google.AuthorizationParameters["prompt"]);

        catalog.TryGet("slack", out var slack);
        Assert.Equal(",", slack!.ScopeSeparator);
        Assert.Equal("authed_user", slack.TokenResponsePath);
        Assert.False(slack.UsePkce);

        catalog.TryGet("linear", out var linear);
        Assert.Equal(",", linear!.ScopeSeparator);

        catalog.TryGet("github", out var github);
        Assert.Equal(TokenEndpointAuth.ClientSecretPost, github!.TokenEndpointAuth);
        Assert.Equal("https://api.github.com/user", github.Identity!.Url!.AbsoluteUri);
    }

    [Fact]
    public void Configuration_overrides_preset_keys_and_keeps_the_rest()
    {
        var catalog = Catalog(new()
        {
            ["github"] = new() { ClientId = "Iv1.abc", ClientSecret = "s3cret", Scopes = ["repo"] },
            ["google-work"] = new() { Preset = "google", ClientId = "g", AuthorizationParameters = new() { ["hd"] = "example.com" } },
        });

        catalog.TryGet("github", out var github);
        Assert.Equal("Iv1.abc", github!.ClientId);
        Assert.Equal(["repo"], github.Scopes);
        Assert.Equal("https://github.com/login/oauth/access_token", github.TokenUrl!.AbsoluteUri);
        Assert.True(github.CanConnect);

        catalog.TryGet("google-work", out var work);
        Assert.Equal("example.com", work!.AuthorizationParameters["hd"]);
        Assert.Equal("offline", work.AuthorizationParameters["access_type"]);
        Assert.Equal("Google", work.DisplayName);
    }

    [Fact]
    public void A_parameter_overridden_in_part_keeps_the_rest_of_the_presets()
    {
        // Only the discovery call's address changes (a proxy in front of Atlassian's): the site's pattern, its label and
        // the fields read from the answer stay the preset's.
        var catalog = Catalog(new()
        {
            ["jira"] = new()
            {
                ClientId = "c", ClientSecret = "s",
                Parameters = new() { ["cloudId"] = new() { Discovery = new() { Url = "https://atlassian-gateway.example.com/accessible-resources" } } },
            },
            ["salesforce"] = new() { ClientId = "c", ClientSecret = "s", Parameters = new() { ["instance_url"] = new() { Label = "Org" } } },
        });

        catalog.TryGet("jira", out var jira);
        var cloudId = jira!.Parameters["cloudId"];
        Assert.Equal("Atlassian site", cloudId.Label);
        Assert.NotNull(cloudId.Pattern);
        Assert.Matches(cloudId.Pattern!, "1324a887-45db-1bf4-1e99-ef0ff456d421");
        Assert.Equal("https://atlassian-gateway.example.com/accessible-resources", cloudId.Discovery!.Url.AbsoluteUri);
        Assert.Equal(ParameterKind.Discovery, cloudId.Kind);
        catalog.TryGet("salesforce", out var salesforce);
        Assert.Equal("Org", salesforce!.Parameters["instance_url"].Label);
        Assert.Equal(ParameterKind.TokenResponse, salesforce.Parameters["instance_url"].Kind);
    }

    [Fact]
    public void Custom_provider_needs_only_an_api_base_to_carry_imported_tokens()
    {
        var catalog = Catalog(new() { ["acme"] = new() { ApiBaseUrl = "https://api.acme.example/v2", TokenHeader = "X-Api-Key: {token}" } });

        catalog.TryGet("acme", out var acme);
        Assert.Equal("X-Api-Key", acme!.TokenHeader.Name);
        Assert.Equal("abc", acme.TokenHeader.Format("abc"));
        Assert.False(acme.CanConnect);
    }

    [Fact]
    public void Every_configuration_problem_is_reported_at_once()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["plain"] = new() { ApiBaseUrl = "http://api.example.com" },
            ["nobase"] = new() { ClientId = "x" },
            ["ghost"] = new() { Preset = "nosuchpreset" },
            ["badheader"] = new() { ApiBaseUrl = "https://api.example.com", TokenHeader = "Authorization Bearer" },
            ["twice"] = new() { ApiBaseUrl = "https://api.example.com", TokenHeader = "X: {token}{token}" },
            ["auth"] = new() { ApiBaseUrl = "https://api.example.com", TokenEndpointAuth = "private_key_jwt" },
            ["admin"] = new() { ApiBaseUrl = "https://api.example.com" },
            ["Upper"] = new() { ApiBaseUrl = "https://api.example.com" },
            ["relative"] = new() { ApiBaseUrl = "/api" },
        }, Presets).Problems;

        Assert.Contains(errors, e => e.Contains("plain:ApiBaseUrl", StringComparison.Ordinal) && e.Contains("https", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("nobase:ApiBaseUrl: is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("nobase: a provider with a ClientId needs AuthorizationUrl and TokenUrl", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown preset 'nosuchpreset'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("badheader:TokenHeader", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("twice:TokenHeader", StringComparison.Ordinal) && e.Contains("exactly once", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'private_key_jwt' is not one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'admin' cannot be a provider name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'Upper' cannot be a provider name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("relative:ApiBaseUrl", StringComparison.Ordinal));
        Assert.Equal(10, errors.Count);
    }

    [Fact]
    public void An_entry_under_a_misspelt_preset_name_is_told_which_preset_it_is_near()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["gihtub"] = new() { ClientId = "Iv1.abc", ClientSecret = "secret" },
            ["acme"] = new() { ClientId = "x" },
            ["gitlab-mine"] = new() { ApiBaseUrl = "https://gitlab.example.com/api/v4" },
        }, Presets).Problems;

        Assert.Contains(
            "TokenProxy:Providers:gihtub: no preset is called 'gihtub' (did you mean github?); an entry of another name is a provider of its own, so it needs the settings above.",
            errors);
        Assert.DoesNotContain(errors, e => e.Contains("acme: no preset", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("gitlab-mine", StringComparison.Ordinal));
    }

    [Fact]
    public void A_client_secret_of_white_space_alone_is_refused_as_a_secret_left_out()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["acme"] = new() { ApiBaseUrl = "https://api.acme.example", AuthorizationUrl = "https://acme.example/authorize", TokenUrl = "https://acme.example/token", ClientId = "c", ClientSecret = "   " },
        }, Presets).Problems;

        Assert.Equal(["TokenProxy:Providers:acme:ClientSecret: is only white space; give the secret, or remove the key."], errors);
    }

    [Fact]
    public void Plain_http_is_accepted_for_loopback_hosts_only()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["local"] = new() { ApiBaseUrl = "http://127.0.0.1:8080", TokenUrl = "http://localhost:9000/token", AuthorizationUrl = "http://[::1]:9000/authorize", ClientId = "c" },
            ["lan"] = new() { ApiBaseUrl = "http://192.168.1.10:8080" },
        }, Presets).Problems;

        Assert.Equal(["TokenProxy:Providers:lan:ApiBaseUrl: 'http://192.168.1.10:8080' must use https (plain http is allowed only for loopback hosts)."], errors);
    }

    [Fact]
    public async Task Invalid_configuration_stops_startup_listing_every_problem()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:acme:ApiBaseUrl"] = "http://api.acme.example",
            ["TokenProxy:Providers:beta:Preset"] = "nope",
            ["TokenProxy:Refresh:Skew"] = "-00:00:01",
            ["TokenProxy:PublicBaseUrl"] = "not a url",
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ProxyHost.StartAsync(settings));

        Assert.Equal(4, error.Failures.Count());
    }

    [Fact]
    public void An_empty_parameter_section_and_a_url_in_allowed_hosts_are_reported_as_what_they_are()
    {
        // "{}" is a section the configuration binder drops, and a URL is what people paste where a host goes: the messages
        // must name the mistake, not an undeclared placeholder or a port "//x.example.com".
        const string Json = """
            {"TokenProxy": {"Providers": {
              "sites": {"ApiBaseUrl": "https://api.example.com/ex/jira/{cloudId}", "Parameters": {"cloudId": {}}},
              "desk": {"ApiBaseUrl": "https://{domain}.example.com/api", "AllowedHosts": ["https://x.example.com"], "Parameters": {"domain": {"Pattern": "^[a-z]+\\z"}}}
            }}}
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Json))).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddProviders().BuildServiceProvider();

        var failures = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProvidersOptions>>().Value).Failures.ToList();

        Assert.Contains(failures, f => f.StartsWith("TokenProxy:Providers:sites:Parameters:cloudId: declare exactly one of Pattern, FromTokenResponse or Discovery: it has none", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("is not declared", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("desk:AllowedHosts", StringComparison.Ordinal) && f.Contains("write the host alone", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("port '//", StringComparison.Ordinal));
    }

    [Fact]
    public void The_catalog_serves_the_providers_its_validation_resolved_without_resolving_them_again()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:acme:ApiBaseUrl"] = "https://api.acme.example",
        }).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddProviders().BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<ProvidersOptions>>().Value;
        var validated = services.GetRequiredService<ProvidersOptionsValidator>().Resolve(options);
        var catalog = services.GetRequiredService<ProviderCatalog>();

        Assert.True(catalog.TryGet("acme", out var acme));
        Assert.Same(validated.Providers["acme"], acme);
    }

    private static ProviderCatalog Catalog(Dictionary<string, ProviderOptions> providers) =>
        new(Options.Create(new ProvidersOptions { Providers = providers }), new ProvidersOptionsValidator(Presets));
}
