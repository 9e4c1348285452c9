using TokenProxy.Hosting;
using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary>Headers, Revocation, refresh-token lifetimes and ErrorHints: read from configuration and presets, every mistake listed at once.</summary>
public sealed class ProviderQuirksConfigurationTests
{
    [Fact]
    public void Every_quirk_mistake_is_listed_at_once()
    {
        var settings = new Dictionary<string, string?>();
        void Provider(string name, params (string Key, string Value)[] entries)
        {
            settings[$"TokenProxy:Providers:{name}:ApiBaseUrl"] = $"https://{name}.example/";
            foreach (var (key, value) in entries)
            {
                settings[$"TokenProxy:Providers:{name}:{key}"] = value;
            }
        }

        Provider("host", ("Headers:Host", "evil.example"));
        Provider("auth", ("Headers:authorization", "Bearer x"));
        Provider("tokenheader", ("TokenHeader", "X-Token: {token}"), ("Headers:x-token", "y"));
        Provider("ours", ("Headers:TokenProxy-Connection", "x"));
        Provider("hop", ("Headers:Connection", "close"));
        Provider("length", ("Headers:Content-Length", "0"));
        Provider("cookie", ("Headers:Cookie", "a=b"));
        Provider("crlf", ("Headers:X-Version", "1\r\nX-Injected: yes"));
        Provider("badname", ("Headers:X Version", "1"));
        Provider("undeclared", ("Headers:Xero-tenant-id", "{tenantId}"));
        Provider("method", ("Revocation:Url", "https://method.example/revoke"), ("Revocation:Method", "GET"));
        Provider("tokenin", ("Revocation:Url", "https://tokenin.example/revoke"), ("Revocation:TokenIn", "header"));
        Provider("clientauth", ("Revocation:Url", "https://clientauth.example/revoke"), ("Revocation:ClientAuth", "jwt"));
        Provider("tokens", ("Revocation:Url", "https://tokens.example/revoke"), ("Revocation:Tokens", "id"));
        Provider("nopath", ("Revocation:Url", "https://nopath.example/revoke"), ("Revocation:TokenIn", "path"));
        Provider("notpath", ("Revocation:Url", "https://notpath.example/revoke/{token}"));
        Provider("inhost", ("Revocation:Url", "https://{token}.inhost.example/revoke"), ("Revocation:TokenIn", "path"));
        Provider("inquery", ("Revocation:Url", "https://inquery.example/revoke?t={token}"), ("Revocation:TokenIn", "path"));
        Provider("both", ("RevocationUrl", "https://both.example/revoke"), ("Revocation:Url", "https://both.example/revoke2"));
        Provider("nourl", ("Revocation:Method", "DELETE"));
        Provider("lifetime", ("RefreshTokenLifetime", "-1.00:00:00"), ("RefreshTokenIdleLifetime", "00:00:00"));
        Provider("reserved", ("Parameters:token:Pattern", @"^[a-z]+\z"));
        Provider("hint", ("ErrorHints:invalid_grant", " "));

        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        string[] expected =
        [
            "host:Headers:Host: 'Host' is a field the proxy controls",
            "auth:Headers:authorization: 'authorization' is a field the proxy controls",
            "tokenheader:Headers:x-token: 'x-token' is a field the proxy controls",
            "ours:Headers:TokenProxy-Connection: 'TokenProxy-Connection' is a field the proxy controls",
            "hop:Headers:Connection: 'Connection' is a field the proxy controls",
            "length:Headers:Content-Length: 'Content-Length' is a field the proxy controls",
            "cookie:Headers:Cookie: 'Cookie' is a field the proxy controls",
            "crlf:Headers:X-Version: the value must be non-empty and hold no CR, LF or other control character",
            "badname:Headers:X Version: 'X Version' is not a valid HTTP field name",
            "undeclared:Headers:Xero-tenant-id: the placeholder {tenantId} is not declared under Parameters",
            "method:Revocation:Method: 'GET' is not one of POST, DELETE",
            "tokenin:Revocation:TokenIn: 'header' is not one of form, json, query, path",
            "clientauth:Revocation:ClientAuth: 'jwt' is not one of basic, post, none",
            "tokens:Revocation:Tokens: 'id' is not one of refresh, access, both",
            "nopath:Revocation:Url: 'https://nopath.example/revoke' must have {token} once in its path when TokenIn is path",
            "notpath:Revocation:Url: {token} can stand in the URL only when TokenIn is path",
            "inhost:Revocation:Url: {token} can stand only in the path",
            "inquery:Revocation:Url: {token} can stand only in the path",
            "both: set RevocationUrl (RFC 7009) or Revocation, not both",
            "nourl:Revocation:Url: is required",
            "lifetime:RefreshTokenLifetime: must be positive",
            "lifetime:RefreshTokenIdleLifetime: must be positive",
            "reserved:Parameters:token: 'token' is a placeholder of Revocation:Url the proxy fills itself",
            "hint:ErrorHints: 'invalid_grant' needs both an error code or phrase and the text to show",
        ];
        foreach (var problem in expected)
        {
            Assert.Contains(problems, p => p.StartsWith("TokenProxy:Providers:" + problem, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, problems.Count);
    }

    [Theory]
    [InlineData("X-Original-URL", "/admin")]
    [InlineData("X-Rewrite-URL", "/admin")]
    [InlineData("X-HTTP-Method-Override", "DELETE")]
    [InlineData("x-http-method", "DELETE")]
    [InlineData("X-Method-Override", "DELETE")]
    [InlineData("Max-Forwards", "0")]
    public void A_header_that_rewrites_the_request_is_refused(string name, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:acme:ApiBaseUrl"] = "https://acme.example/",
            [$"TokenProxy:Providers:acme:Headers:{name}"] = value,
        };

        var problems = ConfigurationCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

        Assert.StartsWith($"TokenProxy:Providers:acme:Headers:{name}: '{name}' is a field the proxy controls", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Presets_declare_their_quirks_and_a_configuration_entry_overrides_them()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:github:ClientId"] = "Iv1.abc",
            ["TokenProxy:Providers:github:ClientSecret"] = "secret",
            ["TokenProxy:Providers:notion:Headers:notion-version"] = "2022-06-28",
            ["TokenProxy:Providers:google:RevocationUrl"] = "https://oauth2.googleapis.com/revoke",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        Assert.Empty(ConfigurationCheck.Problems(configuration));
        var options = configuration.GetSection(ProvidersOptions.SectionName).Get<ProvidersOptions>()!;
        var catalog = new ProviderCatalog(Microsoft.Extensions.Options.Options.Create(options), new ProvidersOptionsValidator(new PresetLibrary()));

        Assert.True(catalog.TryGet("github", out var github));
        Assert.Equal(("X-GitHub-Api-Version", "2022-11-28"), (github.Headers.Single().Name, github.Headers.Single().Value));
        Assert.Equal("https://api.github.com/applications/Iv1.abc/grant", github.Revocation!.Url!.AbsoluteUri);
        Assert.Equal((HttpMethod.Delete, RevocationClientAuth.Basic, RevocationTokenPlacement.Json, "access_token"),
            (github.Revocation.Method, github.Revocation.ClientAuth, github.Revocation.TokenIn, github.Revocation.TokenField));
        Assert.True(catalog.TryGet("hubspot", out var hubspot));
        Assert.Equal((RevocationTokenPlacement.Path, true, false), (hubspot.Revocation!.TokenIn, hubspot.Revocation.RevokesRefreshToken, hubspot.Revocation.RevokesAccessToken));
        // The entry's header replaces the preset's of the same name, whatever its case.
        Assert.True(catalog.TryGet("notion", out var notion));
        Assert.Equal("2022-06-28", notion.Headers.Single().Value);
        // A plain RevocationUrl in configuration replaces the preset's described Revocation.
        Assert.True(catalog.TryGet("google", out var google));
        Assert.Null(google.Revocation);
        Assert.Equal("https://oauth2.googleapis.com/revoke", google.RevocationUrl!.AbsoluteUri);
        Assert.True(catalog.TryGet("jira", out var jira));
        Assert.Equal(TimeSpan.FromDays(90), jira.RefreshTokenIdleLifetime);
        Assert.NotNull(jira.ErrorHints.For("access_denied", "Your site admin must authorize this app for the site acme.atlassian.net"));
    }

    [Theory]
    [InlineData("invalid_grant", "Token has been expired or revoked.", "phrase")]
    [InlineData("invalid_grant", "something else", "code")]
    [InlineData("invalid_grant", null, "code")]
    [InlineData("access_denied", "TOKEN HAS BEEN EXPIRED OR REVOKED", "phrase")]
    [InlineData("access_denied", "Token has been expired or revoked by the admin", "longer phrase")]
    [InlineData("Invalid_Grant", "unrelated", null)]
    public void A_description_phrase_wins_over_the_code_and_the_longest_phrase_over_shorter_ones(string code, string? description, string? expected)
    {
        var hints = new ErrorHints(new Dictionary<string, string>
        {
            ["invalid_grant"] = "code",
            ["expired or revoked"] = "phrase",
            ["Token has been expired or revoked by the admin"] = "longer phrase",
        });

        Assert.Equal(expected, hints.For(code, description));
    }

    [Fact]
    public void Scope_headers_need_header_names_and_the_accepted_one_and_a_test_path_stays_below_the_api_base()
    {
        var resolution = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>
        {
            ["good"] = new() { ApiBaseUrl = "https://api.example.com/v2", ScopeHeaders = new() { Granted = "X-OAuth-Scopes", Accepted = "X-Accepted-OAuth-Scopes" }, TestPath = "/me?fields=id" },
            ["noaccepted"] = new() { ApiBaseUrl = "https://api.example.com", ScopeHeaders = new() { Granted = "X-OAuth-Scopes" } },
            ["spaced"] = new() { ApiBaseUrl = "https://api.example.com", ScopeHeaders = new() { Accepted = "X Accepted" } },
            ["climbing"] = new() { ApiBaseUrl = "https://api.example.com", TestPath = "/a/../../etc" },
            ["relative"] = new() { ApiBaseUrl = "https://api.example.com", TestPath = "me" },
            ["elsewhere"] = new() { ApiBaseUrl = "https://api.example.com", TestPath = "//evil.test/x" },
            ["encoded"] = new() { ApiBaseUrl = "https://api.example.com", TestPath = "/%2e%2e/x" },
        }, new PresetLibrary());

        Assert.Equal(
        [
            "TokenProxy:Providers:climbing:TestPath",
            "TokenProxy:Providers:elsewhere:TestPath",
            "TokenProxy:Providers:encoded:TestPath",
            "TokenProxy:Providers:noaccepted:ScopeHeaders:Accepted",
            "TokenProxy:Providers:relative:TestPath",
            "TokenProxy:Providers:spaced:ScopeHeaders:Accepted",
        ], resolution.Problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        var good = resolution.Providers["good"];
        Assert.Equal(new ScopeHeaders("X-OAuth-Scopes", "X-Accepted-OAuth-Scopes"), good.ScopeHeaders);
        Assert.Equal("/me?fields=id", good.TestPath);
    }
}
