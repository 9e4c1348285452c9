using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Security;

/// <summary>
/// Threat: the tokens of a connect that waits for a pick (docs/architecture.md §6: H42, §8) leak while they wait — at
/// rest in the pending record, or through the discovery call's logs and spans, the pick page or the answers.
/// </summary>
public sealed partial class DiscoveryPickLeakTests
{
    [Fact]
    public async Task Tokens_waiting_for_a_pick_are_sealed_at_rest_and_absent_from_logs_spans_and_pages()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(settings =>
        {
            var api = new Uri(settings["TokenProxy:Providers:acme:ApiBaseUrl"]!);
            settings["TokenProxy:Providers:acme:ApiBaseUrl"] = new Uri(api, "/ex/jira/{cloudId}").OriginalString;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:Url"] = new Uri(api, "/accessible-resources").AbsoluteUri;
            settings["TokenProxy:Providers:acme:Parameters:cloudId:Discovery:ValueField"] = "id";
        }, telemetry: telemetry);
        scenario.Api.Respond = (context, request) => context.Response.WriteAsync(request.PathAndQuery == "/accessible-resources" ? """[{"id":"one"},{"id":"two"}]""" : "{}");
        var prefix = Canary.New("pick");
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(expiresIn: 3600, prefix: prefix);
        using var browser = new ConnectFlow(scenario.Proxy.Address);

        var authorize = await browser.StartAsync("/admin/connect/acme");
        using var callback = await browser.CallbackAsync("acme", ("code", Canary.New("code")), ("state", authorize["state"]));
        var page = await callback.Content.ReadAsStringAsync();
        var atRest = ReadDataDirectory(scenario.Proxy.DataDirectory);
        using var pick = await browser.PostFormAsync("/admin/callback/acme/pick", ("pick", PickKey().Match(page).Groups[1].Value), ("value", "two"));
        using var call = await scenario.Proxy.Client.GetAsync("/acme/issues");

        Assert.Equal(HttpStatusCode.SeeOther, pick.StatusCode);
        Assert.Equal($"Bearer {prefix}access-1", scenario.Api.Requests.Last().Header("Authorization"));
        var seen = page + await pick.Content.ReadAsStringAsync() + JsonSerializer.Serialize(await scenario.Proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/connections"));
        foreach (var secret in new[] { $"{prefix}access-1", $"{prefix}refresh-1" })
        {
            Canary.AssertAbsent(secret, atRest, "the data directory while the pick waits");
            Canary.AssertAbsent(secret, scenario.Proxy.Logs.All, "logs");
            Canary.AssertAbsent(secret, telemetry.AllText(), "spans and metrics");
            Canary.AssertAbsent(secret, seen, "the pick page, its answer and the admin JSON");
        }
    }

    /// <summary>Every byte of a data directory but its lock file, to look for a secret at rest.</summary>
    internal static byte[] ReadDataDirectory(string directory)
    {
        using var all = new MemoryStream();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    [GeneratedRegex("name=\"pick\" value=\"([^\"]+)\"")]
    private static partial Regex PickKey();
}
