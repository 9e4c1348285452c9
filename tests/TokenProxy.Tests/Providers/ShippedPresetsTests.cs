using System.Text.RegularExpressions;
using TokenProxy.Providers;

namespace TokenProxy.Tests.Providers;

/// <summary>The presets in <c>config/providers</c>, as they ship next to the executable, through the real catalog.</summary>
public sealed partial class ShippedPresetsTests : IDisposable
{
    private static readonly string Repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
    private static readonly string Shipped = Path.Combine(AppContext.BaseDirectory, "config", "providers");

    // Their providers take scopes from the app's registration (Bitbucket consumer, Box/Zoom/Intercom/Pipedrive app settings,
    // Notion capabilities, the Workspaces a person ticks on ClickUp) or, for Slack user tokens, from AuthorizationParameters:user_scope.
    private static readonly string[] WithoutScopes = ["bitbucket", "box", "clickup", "intercom", "notion", "pipedrive", "slack", "zoom"];

    private readonly string _broken = Directory.CreateTempSubdirectory("tokenproxy-presets-").FullName;

    public void Dispose() => Directory.Delete(_broken, recursive: true);

    [Fact]
    public void Every_shipped_preset_resolves_with_https_endpoints_declared_placeholders_allowed_hosts_docs_and_scopes()
    {
        var problems = PresetCheck.Problems(Shipped, WithoutScopes);

        Assert.True(problems.Count == 0, $"Preset problems:\n{string.Join('\n', problems)}");
        Assert.True(new PresetLibrary().Presets.Count >= 40, "The proxy ships at least 40 presets.");
    }

    [Theory]
    [InlineData("stripe", "Authorization", "Bearer ")]
    [InlineData("openai", "Authorization", "Bearer ")]
    [InlineData("sendgrid", "Authorization", "Bearer ")]
    [InlineData("anthropic", "x-api-key", "")]
    [InlineData("figma", "X-Figma-Token", "")]
    public void Api_key_presets_offer_only_an_imported_key_sent_in_the_header_their_provider_documents(string name, string header, string prefix)
    {
        var provider = Preset(name);

        Assert.Equal([CredentialKind.ApiKey], provider.CredentialKinds);
        Assert.Equal(new ApiKeyPlacement(header, null, prefix, string.Empty), provider.ApiKey);
        Assert.False(provider.Offers(CredentialKind.OAuth2));
        Assert.Null(provider.AuthorizationUrl);
        Assert.Empty(provider.Scopes);
    }

    [Fact]
    public void Basic_presets_take_their_account_in_a_parameter_that_only_resolves_to_their_own_host()
    {
        var twilio = Preset("twilio");
        var freshdesk = Preset("freshdesk");

        Assert.Equal([CredentialKind.Basic], twilio.CredentialKinds);
        // Freshdesk takes its API key as the Basic user name with any password: imported as a key, sent as key:X.
        Assert.Equal([CredentialKind.ApiKey, CredentialKind.Basic], freshdesk.CredentialKinds);
        Assert.Equal(new ApiKeyPlacement("Authorization", null, string.Empty, ":X", Basic: true), freshdesk.ApiKey);
        var sid = "AC" + new string('a', 32);
        Assert.Equal($"https://api.twilio.com/2010-04-01/Accounts/{sid}", twilio.ResolveApiBase(new Dictionary<string, string> { ["accountSid"] = sid }).Url!.AbsoluteUri);
        Assert.NotNull(twilio.Parameters["accountSid"].Problem("SK" + new string('a', 32)));
        Assert.Equal("https://acme.freshdesk.com/api/v2", freshdesk.ResolveApiBase(new Dictionary<string, string> { ["domain"] = "acme" }).Url!.AbsoluteUri);
        Assert.NotNull(freshdesk.Parameters["domain"].Problem("acme.evil.test"));
    }

    [Fact]
    public void Anthropic_sends_its_version_header_and_xero_its_organisation_found_after_sign_in()
    {
        var anthropic = Preset("anthropic");
        var xero = Preset("xero");

        Assert.Equal(("anthropic-version", "2023-06-01"), (anthropic.Headers[0].Name, anthropic.Headers[0].Value));
        Assert.Equal(ParameterKind.Discovery, xero.Parameters["tenantId"].Kind);
        Assert.Equal("https://api.xero.com/connections", xero.Parameters["tenantId"].Discovery!.Url.AbsoluteUri);
        var tenant = Assert.Single(xero.Headers, h => h.Name == "Xero-tenant-id");
        Assert.Equal("abc", tenant.Resolve(new Dictionary<string, string> { ["tenantId"] = "abc" }, out _));
        Assert.Equal(TimeSpan.FromDays(60), xero.RefreshTokenIdleLifetime);
    }

    [Fact]
    public void Github_names_granted_and_accepted_scopes_in_its_scope_headers()
    {
        var github = Preset("github");

        Assert.Equal(new ScopeHeaders("X-OAuth-Scopes", "X-Accepted-OAuth-Scopes"), github.ScopeHeaders);
        Assert.Null(github.TestPath);
        Assert.Equal("/v1/users/me", Preset("notion").TestPath);
    }

    [Fact]
    public void Clickup_offers_oauth_with_its_token_request_in_the_query_and_a_personal_token()
    {
        var clickup = Preset("clickup");

        Assert.Equal([CredentialKind.OAuth2, CredentialKind.ApiKey], clickup.CredentialKinds);
        Assert.True(clickup.TokenRequestInQuery);
        Assert.Equal(new ApiKeyPlacement("Authorization", null, string.Empty, string.Empty), clickup.ApiKey);
        Assert.False(Preset("miro").TokenRequestInQuery);
    }

    [Fact]
    public void The_executable_ships_every_preset_of_the_repository()
    {
        Assert.Equal(Names(Path.Combine(Repository, "config", "providers")), Names(Shipped));
    }

    [Fact]
    public void The_readme_lists_exactly_the_shipped_presets()
    {
        var readme = File.ReadAllText(Path.Combine(Repository, "README.md"));
        var table = readme[readme.IndexOf("Shipped presets", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", table.IndexOf("|---", StringComparison.Ordinal), StringComparison.Ordinal)];

        // A row names one preset or several alike in its first cell: "| `gmail`, `google-calendar` | …".
        var listed = PresetRow().Matches(table).SelectMany(m => PresetName().Matches(m.Groups[1].Value)).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);

        Assert.Equal(Names(Shipped), listed);
    }

    [Fact]
    public void A_broken_preset_is_reported_with_every_rule_it_breaks()
    {
        Write("plain", """{"DisplayName": "Plain", "Docs": "http://docs.plain.example", "ApiBaseUrl": "https://api.plain.example", "Scopes": ["read"]}""");
        Write("local", """{"DisplayName": "Local", "Docs": "https://docs.local.example", "ApiBaseUrl": "http://127.0.0.1:8080", "TokenUrl": "https://localhost/token", "Scopes": ["read"]}""");
        Write("nodocs", """{"DisplayName": "No docs", "ApiBaseUrl": "https://api.nodocs.example", "Scopes": ["read"]}""");
        Write("undeclared", """{"DisplayName": "Undeclared", "Docs": "https://docs.undeclared.example", "ApiBaseUrl": "https://api.undeclared.example/{tenant}", "Scopes": ["read"]}""");
        Write("nohosts", """
            {"DisplayName": "No hosts", "Docs": "https://docs.nohosts.example", "ApiBaseUrl": "https://{sub}.nohosts.example",
             "Parameters": {"sub": {"Pattern": "^[a-z]+\\z"}}, "Scopes": ["read"]}
            """);
        Write("ported", """
            {"DisplayName": "Ported", "Docs": "https://docs.ported.example", "ApiBaseUrl": "https://{sub}.ported.example",
             "AllowedHosts": ["*.ported.example:8443"], "Parameters": {"sub": {"Pattern": "^[a-z]+\\z"}, "spare": {"Pattern": "^[a-z]+\\z"}}, "Scopes": ["read"]}
            """);
        Write("stray", """{"DisplayName": "Stray", "Docs": "https://docs.stray.example", "ApiBaseUrl": "https://api.stray.example", "AllowedHosts": ["*.stray.example"], "Scopes": ["read"]}""");
        Write("noscopes", """{"DisplayName": "No scopes", "Docs": "https://docs.noscopes.example", "ApiBaseUrl": "https://api.noscopes.example", "AuthorizationUrl": "https://noscopes.example/authorize"}""");
        Write("keyonly", """{"DisplayName": "Key only", "Docs": "https://docs.keyonly.example", "ApiBaseUrl": "https://api.keyonly.example"}""");
        Write("quirky", """{"DisplayName": "Quirky", "Docs": "https://docs.quirky.example", "ApiBaseUrl": "https://api.quirky.example", "Scopes": ["read"], "ScopeSets": {"calendar": ["read"]}}""");
        Write("keyoauth", """
            {"DisplayName": "Key OAuth", "Docs": "https://docs.keyoauth.example", "ApiBaseUrl": "https://api.keyoauth.example", "Auth": "ApiKey",
             "ApiKey": {"Header": "X-Key"}, "TokenUrl": "https://keyoauth.example/token", "Scopes": ["read"]}
            """);
        Write("Twin", """{"DisplayName": "No scopes", "Docs": "https://docs.twin.example", "ApiBaseUrl": "https://api.twin.example", "Scopes": ["read"]}""");

        var problems = PresetCheck.Problems(_broken, ["stray"]);

        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Providers:plain:Docs: 'http://docs.plain.example' must use https", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("local:ApiBaseUrl: 'http://127.0.0.1:8080/' must be https", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("local:TokenUrl: 'https://localhost/token' must be https to the provider, never loopback", StringComparison.Ordinal));
        Assert.Contains("nodocs: Docs is missing: the provider's own https page on its OAuth flow or API authentication.", problems);
        Assert.Contains("TokenProxy:Providers:undeclared:ApiBaseUrl: the placeholder {tenant} is not declared under Parameters.", problems);
        Assert.Contains(problems, p => p.StartsWith("TokenProxy:Providers:nohosts:ApiBaseUrl: ", StringComparison.Ordinal) && p.EndsWith("must declare AllowedHosts.", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("ported:AllowedHosts: '*.ported.example:8443' must be", StringComparison.Ordinal));
        Assert.Contains("ported:Parameters:spare: declared but no URL uses it.", problems);
        Assert.Contains("stray: AllowedHosts without a placeholder in any host allows nothing; remove it.", problems);
        Assert.Contains("stray:Scopes: listed as taking its scopes from the app's registration, yet the preset requests some.", problems);
        Assert.Contains("noscopes:Scopes: the provider needs scopes requested, and the preset names none.", problems);
        Assert.DoesNotContain(problems, p => p.StartsWith("keyonly", StringComparison.Ordinal));
        Assert.Contains("keyoauth: offers only ApiKey, yet declares OAuth endpoints, scopes or an identity endpoint that nothing would use.", problems);
        Assert.Contains(problems, p => p.StartsWith("quirky: ", StringComparison.Ordinal) && p.Contains("ScopeSets", StringComparison.Ordinal));
        Assert.Contains("Twin: a preset file is named after its provider: lower-case letters, digits, '-' or '_'.", problems);
        Assert.Contains("noscopes, twin: the same DisplayName 'No scopes'.", problems);
    }

    [Fact]
    public void Preset_names_differing_only_in_case_are_reported()
    {
        Write("acme", """{"DisplayName": "Acme", "Docs": "https://docs.acme.example", "ApiBaseUrl": "https://api.acme.example", "Scopes": ["read"]}""");
        Write("ACME", """{"DisplayName": "Acme 2", "Docs": "https://docs.acme.example", "ApiBaseUrl": "https://api.acme.example", "Scopes": ["read"]}""");

        var problems = PresetCheck.Problems(_broken, []);

        // A case-insensitive file system keeps one file, the loss this rule guards against on the others.
        if (Directory.GetFiles(_broken).Length == 2)
        {
            Assert.Contains("acme: 2 preset files differ only in case; one would silently replace the other.", problems.Select(p => p.Replace("ACME:", "acme:", StringComparison.Ordinal)));
        }
        else
        {
            Assert.Single(Directory.GetFiles(_broken));
        }
    }

    private static ProviderDefinition Preset(string name)
    {
        var resolution = ProviderCatalog.Resolve(new Dictionary<string, ProviderOptions>(), new PresetLibrary(Shipped));
        Assert.Empty(resolution.Problems);
        return resolution.Providers[name];
    }

    private void Write(string name, string json) => File.WriteAllText(Path.Combine(_broken, $"{name}.json"), json);

    private static IEnumerable<string> Names(string directory) =>
        Directory.GetFiles(directory, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^\| (`[^|]+`) \|", RegexOptions.Multiline)]
    private static partial Regex PresetRow();

    [GeneratedRegex("`([a-z0-9_-]+)`")]
    private static partial Regex PresetName();
}
