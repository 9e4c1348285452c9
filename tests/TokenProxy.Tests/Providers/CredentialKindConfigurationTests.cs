using TokenProxy.Hosting;
using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary><c>Auth</c> and <c>ApiKey</c> on a provider: one value or a list, and every mistake listed at once before startup.</summary>
public sealed class CredentialKindConfigurationTests
{
    [Fact]
    public void Auth_takes_one_value_or_a_list_and_an_api_key_placement()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:keyed:ApiBaseUrl"] = "https://api.keyed.example/",
            ["TokenProxy:Providers:keyed:Auth"] = "ApiKey",
            ["TokenProxy:Providers:keyed:ApiKey:Header"] = "Authorization",
            ["TokenProxy:Providers:keyed:ApiKey:Format"] = "Token token={key}",
            ["TokenProxy:Providers:both:ApiBaseUrl"] = "https://api.both.example/",
            ["TokenProxy:Providers:both:Auth:0"] = "OAuth2",
            ["TokenProxy:Providers:both:Auth:1"] = "Basic",
        };

        Assert.Empty(ConfigurationCheck.Problems(Configuration(settings)));
        var catalog = Catalog(settings);
        Assert.True(catalog.TryGet("keyed", out var keyed));
        Assert.Equal([CredentialKind.ApiKey], keyed.CredentialKinds);
        Assert.Equal("Token token=k", keyed.ApiKey!.Format("k"));
        Assert.False(keyed.CanConnect);
        Assert.True(catalog.TryGet("both", out var both));
        Assert.Equal([CredentialKind.OAuth2, CredentialKind.Basic], both.CredentialKinds);
        Assert.True(catalog.TryGet("github", out var github));
        Assert.Equal([CredentialKind.OAuth2], github.CredentialKinds);
    }

    [Fact]
    public void Every_credential_kind_mistake_is_listed_at_once()
    {
        var problems = ConfigurationCheck.Problems(Configuration(new()
        {
            ["TokenProxy:Providers:both:ApiBaseUrl"] = "https://a.example/",
            ["TokenProxy:Providers:both:Auth"] = "ApiKey",
            ["TokenProxy:Providers:both:ApiKey:Header"] = "X-Api-Key",
            ["TokenProxy:Providers:both:ApiKey:Query"] = "api_key",
            ["TokenProxy:Providers:neither:ApiBaseUrl"] = "https://b.example/",
            ["TokenProxy:Providers:neither:Auth"] = "ApiKey",
            ["TokenProxy:Providers:noplaceholder:ApiBaseUrl"] = "https://c.example/",
            ["TokenProxy:Providers:noplaceholder:Auth"] = "ApiKey",
            ["TokenProxy:Providers:noplaceholder:ApiKey:Header"] = "X-Api-Key",
            ["TokenProxy:Providers:noplaceholder:ApiKey:Format"] = "Token {token}",
            ["TokenProxy:Providers:badname:ApiBaseUrl"] = "https://d.example/",
            ["TokenProxy:Providers:badname:Auth"] = "ApiKey",
            ["TokenProxy:Providers:badname:ApiKey:Header"] = "X Api Key",
            ["TokenProxy:Providers:host:ApiBaseUrl"] = "https://e.example/",
            ["TokenProxy:Providers:host:Auth"] = "ApiKey",
            ["TokenProxy:Providers:host:ApiKey:Header"] = "Host",
            ["TokenProxy:Providers:length:ApiBaseUrl"] = "https://f.example/",
            ["TokenProxy:Providers:length:Auth"] = "ApiKey",
            ["TokenProxy:Providers:length:ApiKey:Header"] = "content-length",
            ["TokenProxy:Providers:ours:ApiBaseUrl"] = "https://g.example/",
            ["TokenProxy:Providers:ours:Auth"] = "ApiKey",
            ["TokenProxy:Providers:ours:ApiKey:Header"] = "TokenProxy-Connection",
            ["TokenProxy:Providers:unknown:ApiBaseUrl"] = "https://h.example/",
            ["TokenProxy:Providers:unknown:Auth:0"] = "OAuth2",
            ["TokenProxy:Providers:unknown:Auth:1"] = "Digest",
            ["TokenProxy:Providers:machine:ApiBaseUrl"] = "https://i.example/",
            ["TokenProxy:Providers:machine:Auth"] = "ClientCredentials",
            ["TokenProxy:Providers:machine:ClientId"] = "machine-client",
            ["TokenProxy:Providers:machine:TokenUrl"] = "https://i.example/token",
            // The client's own grant needs no authorization endpoint: no problem here.
            ["TokenProxy:Providers:robot:ApiBaseUrl"] = "https://k.example/",
            ["TokenProxy:Providers:robot:Auth"] = "ClientCredentials",
            ["TokenProxy:Providers:robot:ClientId"] = "robot-client",
            ["TokenProxy:Providers:robot:ClientSecret"] = "robot-secret",
            ["TokenProxy:Providers:robot:TokenUrl"] = "https://k.example/token",
            ["TokenProxy:Providers:unoffered:ApiBaseUrl"] = "https://j.example/",
            ["TokenProxy:Providers:unoffered:ApiKey:Header"] = "X-Api-Key",
            ["TokenProxy:Providers:basicheader:ApiBaseUrl"] = "https://l.example/",
            ["TokenProxy:Providers:basicheader:Auth"] = "ApiKey",
            ["TokenProxy:Providers:basicheader:ApiKey:Basic"] = "{key}:X",
            ["TokenProxy:Providers:basicheader:ApiKey:Header"] = "X-Api-Key",
            ["TokenProxy:Providers:nocolon:ApiBaseUrl"] = "https://m.example/",
            ["TokenProxy:Providers:nocolon:Auth"] = "ApiKey",
            ["TokenProxy:Providers:nocolon:ApiKey:Basic"] = "{key}",
            ["TokenProxy:Providers:badrequest:ApiBaseUrl"] = "https://n.example/",
            ["TokenProxy:Providers:badrequest:TokenRequest"] = "json",
            // Valid: the key as Basic password.
            ["TokenProxy:Providers:keyaspassword:ApiBaseUrl"] = "https://o.example/",
            ["TokenProxy:Providers:keyaspassword:Auth"] = "ApiKey",
            ["TokenProxy:Providers:keyaspassword:ApiKey:Basic"] = "api:{key}",
        }));

        string[] expected =
        [
            "both:ApiKey: set exactly one of Header or Query",
            "neither:ApiKey: set exactly one of Header or Query",
            "noplaceholder:ApiKey:Format: 'Token {token}' must contain {key} exactly once",
            "badname:ApiKey:Header: 'X Api Key' is not a valid HTTP field name",
            "host:ApiKey:Header: 'Host' is a field the proxy or HTTP itself controls",
            "length:ApiKey:Header: 'content-length' is a field the proxy or HTTP itself controls",
            "ours:ApiKey:Header: 'TokenProxy-Connection' is a field the proxy or HTTP itself controls",
            "unknown:Auth: 'Digest' is not a credential kind",
            "machine:ClientSecret: ClientCredentials needs a ClientSecret",
            "unoffered:ApiKey: set, but Auth does not offer ApiKey",
            "basicheader:ApiKey: Basic sends the key in Authorization; set no Header, Query or Format with it.",
            "nocolon:ApiKey:Basic: '{key}' must be user:password",
            "badrequest:TokenRequest: 'json' is not one of form, query.",
        ];
        foreach (var problem in expected)
        {
            Assert.Contains(problems, p => p.StartsWith("TokenProxy:Providers:" + problem, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, problems.Count);
    }

    [Fact]
    public void A_preset_file_may_write_auth_as_one_value()
    {
        var directory = Directory.CreateTempSubdirectory("tokenproxy-presets-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "keyed.json"), """{"ApiBaseUrl": "https://api.keyed.example/", "Auth": "ApiKey", "ApiKey": {"Query": "api_key"}}""");
            File.WriteAllText(Path.Combine(directory, "both.json"), """{"ApiBaseUrl": "https://api.both.example/", "Auth": ["OAuth2", "Basic"]}""");

            var resolution = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>(), new PresetLibrary(directory));

            Assert.Empty(resolution.Problems);
            Assert.Equal("api_key", resolution.Providers["keyed"].ApiKey!.Query);
            Assert.Equal([CredentialKind.OAuth2, CredentialKind.Basic], resolution.Providers["both"].CredentialKinds);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private static ProviderCatalog Catalog(Dictionary<string, string?> settings)
    {
        var options = Configuration(settings).GetSection(ProvidersOptions.SectionName).Get<ProvidersOptions>()!;
        options.BindOneValueLists(Configuration(settings).GetSection(ProvidersOptions.SectionName));
        return new ProviderCatalog(Microsoft.Extensions.Options.Options.Create(options), new ProvidersOptionsValidator(new PresetLibrary()));
    }
}
