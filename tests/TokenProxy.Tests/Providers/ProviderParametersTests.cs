using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary>Placeholders, parameters and allowed hosts are checked at startup, every problem listed at once.</summary>
public sealed class ProviderParametersTests
{
    [Fact]
    public void Every_placeholder_problem_is_reported_at_once()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["undeclared"] = new() { ApiBaseUrl = "https://api.example.com/{site}" },
            ["nohosts"] = new() { ApiBaseUrl = "https://{sub}.example.com", Parameters = new() { ["sub"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["badhost"] = new() { ApiBaseUrl = "https://{sub}.example.com", AllowedHosts = ["*.com", "example.com:http"], Parameters = new() { ["sub"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["badpattern"] = new() { ApiBaseUrl = "https://api.example.com/{site}", Parameters = new() { ["site"] = new() { Pattern = @"^[a-z\z" } } },
            ["unanchored"] = new() { ApiBaseUrl = "https://api.example.com/{site}", Parameters = new() { ["site"] = new() { Pattern = "^[a-z]+$" } } },
            ["plainhttp"] = new() { ApiBaseUrl = "http://{sub}.example.com", AllowedHosts = ["*.example.com"], Parameters = new() { ["sub"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["wildhttp"] = new() { ApiBaseUrl = "http://{sub}:8080", AllowedHosts = ["127.0.0.1:8080", "*.example.com"], Parameters = new() { ["sub"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["inport"] = new() { ApiBaseUrl = "https://api.example.com:{port}", Parameters = new() { ["port"] = new() { Pattern = @"^[0-9]+\z" } } },
            ["inquery"] = new() { ApiBaseUrl = "https://api.example.com/x?site={site}", Parameters = new() { ["site"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["stray"] = new() { ApiBaseUrl = "https://api.example.com/{site", Parameters = new() { ["site"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["nosource"] = new() { ApiBaseUrl = "https://api.example.com/{site}", Parameters = new() { ["site"] = new() { Label = "Site" } } },
            ["midorigin"] = new() { ApiBaseUrl = "https://x.example.com/{instance_url}", AllowedHosts = ["*.example.com"], Parameters = new() { ["instance_url"] = new() { FromTokenResponse = true } } },
            ["badtoken"] = new() { ApiBaseUrl = "https://api.example.com", TokenUrl = "https://{tenant}.auth.example.com/token", Parameters = new() { ["tenant"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["baddiscovery"] = new() { ApiBaseUrl = "https://api.example.com/ex/{cloudId}", Parameters = new() { ["cloudId"] = new() { Discovery = new() { Url = "http://api.example.com/resources" } } } },
        }, new PresetLibrary()).Problems;

        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:undeclared:ApiBaseUrl: the placeholder {site} is not declared", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:nohosts:ApiBaseUrl:", StringComparison.Ordinal) && e.Contains("must declare AllowedHosts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:badhost:AllowedHosts: '*.com'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:badhost:AllowedHosts: 'example.com:http'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:badpattern:Parameters:site:Pattern:", StringComparison.Ordinal) && e.Contains("not a regular expression", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:unanchored:Parameters:site:Pattern:", StringComparison.Ordinal) && e.Contains("anchored", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:plainhttp:ApiBaseUrl:", StringComparison.Ordinal) && e.Contains("must use https", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:wildhttp:ApiBaseUrl:", StringComparison.Ordinal) && e.Contains("must use https", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:inport:ApiBaseUrl:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:inquery:ApiBaseUrl: the placeholder {site} can stand only in the host or the path", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:stray:ApiBaseUrl:", StringComparison.Ordinal) && e.Contains("not a placeholder", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:nosource:Parameters:site: declare exactly one of", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:midorigin:ApiBaseUrl: {instance_url} is an origin", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:badtoken:TokenUrl:", StringComparison.Ordinal) && e.Contains("must declare AllowedHosts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:baddiscovery:Parameters:cloudId:Discovery:Url:", StringComparison.Ordinal) && e.Contains("https", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:baddiscovery:Parameters:cloudId:Discovery:ValueField: is required", StringComparison.Ordinal));
        Assert.True(errors.Count == 16, string.Join("\n", errors));
    }

    [Fact]
    public void A_given_parameter_named_like_the_connect_urls_own_query_is_refused_with_the_other_problems()
    {
        var errors = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["labelled"] = new() { ApiBaseUrl = "https://api.example.com/{label}", Parameters = new() { ["label"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["scoped"] = new() { ApiBaseUrl = "https://api.example.com/{Scopes}", Parameters = new() { ["Scopes"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["fine"] = new() { ApiBaseUrl = "https://api.example.com/{site}", Parameters = new() { ["site"] = new() { Pattern = @"^[a-z]+\z" } } },
            ["undeclared"] = new() { ApiBaseUrl = "https://api.example.com/{site}" },
        }, new PresetLibrary()).Problems;

        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:labelled:Parameters:label: 'label' is given in the connect URL's query", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:scoped:Parameters:Scopes: 'Scopes' is given in the connect URL's query, where 'scopes'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("TokenProxy:Providers:undeclared:ApiBaseUrl:", StringComparison.Ordinal));
        Assert.True(errors.Count == 3, string.Join("\n", errors));
    }

    [Fact]
    public void Templates_in_every_url_of_a_provider_are_resolved_with_the_same_parameters()
    {
        var provider = UrlTemplateTests.Provider(new()
        {
            ApiBaseUrl = "https://{subdomain}.zendesk.example/api/v2",
            AuthorizationUrl = "https://{subdomain}.zendesk.example/oauth/authorizations/new",
            TokenUrl = "https://{subdomain}.zendesk.example/oauth/tokens",
            Identity = new() { Url = "https://{subdomain}.zendesk.example/api/v2/users/me" },
            ClientId = "c",
            AllowedHosts = ["*.zendesk.example"],
            Parameters = new() { ["subdomain"] = new() { Pattern = @"^[a-z0-9][a-z0-9-]{0,62}\z", Label = "Zendesk subdomain" } },
        });

        Assert.Null(provider.ApiBaseUrl);
        Assert.Equal(["ApiBaseUrl", "AuthorizationUrl", "Identity:Url", "TokenUrl"], provider.UrlTemplates.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            "https://acme.zendesk.example/oauth/tokens",
            provider.UrlTemplates["TokenUrl"].Resolve(new Dictionary<string, string> { ["subdomain"] = "acme" }).Url?.AbsoluteUri);
        Assert.True(provider.UrlTemplates["TokenUrl"].HostTemplated);
    }

    [Fact]
    public void Discovery_and_token_response_parameters_are_recognised()
    {
        var provider = UrlTemplateTests.Provider(new()
        {
            ApiBaseUrl = "https://api.atlassian.example/ex/jira/{cloudId}",
            Parameters = new()
            {
                ["cloudId"] = new() { Discovery = new() { Url = "https://api.atlassian.example/oauth/token/accessible-resources", ValueField = "id", LabelField = "name" } },
            },
        });

        var cloudId = provider.Parameters["cloudId"];
        Assert.Equal(ParameterKind.Discovery, cloudId.Kind);
        Assert.Equal(new ParameterDiscovery(new Uri("https://api.atlassian.example/oauth/token/accessible-resources"), "id", "name"), cloudId.Discovery);
    }
}
