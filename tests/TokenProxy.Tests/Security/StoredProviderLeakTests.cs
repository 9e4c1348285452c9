using System.Text;
using TokenProxy.Tests.Admin;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Security;

/// <summary>H42 for a provider's client secret given through the admin API: write-only, whatever is done with the provider.</summary>
public sealed class StoredProviderLeakTests
{
    [Fact]
    public async Task A_stored_client_secret_never_appears_in_logs_spans_answers_or_pages()
    {
        var secret = Canary.New("ProviderSecret");
        var telemetry = new CollectedTelemetry();
        await using var proxy = await ProxyHost.StartAsync(new Dictionary<string, string?> { [CollectedTelemetry.RecordEverything.Key] = CollectedTelemetry.RecordEverything.Value }, telemetry: telemetry);
        var client = proxy.Client;
        var seen = new StringBuilder();
        async Task Read(Task<HttpResponseMessage> sending)
        {
            using var response = await sending;
            seen.Append(response.Headers).Append(response.Content.Headers).Append(await response.Content.ReadAsStringAsync());
        }

        var entry = new Dictionary<string, object>
        {
            ["ApiBaseUrl"] = "https://api.acme.example",
            ["AuthorizationUrl"] = "https://auth.acme.example/authorize",
            ["TokenUrl"] = "https://auth.acme.example/token",
            ["ClientId"] = "acme-client",
            ["ClientSecret"] = secret,
        };
        await Read(StoredProvidersApiTests.PutAsync(proxy, "acme", entry));
        // Refused entries carrying the secret: the problems name settings, never the secret.
        await Read(StoredProvidersApiTests.PutAsync(proxy, "acme", new Dictionary<string, object>(entry) { ["TokenUrl"] = "not a url", ["Secret"] = secret }));
        await Read(StoredProvidersApiTests.PutAsync(proxy, "broken", new Dictionary<string, object> { ["ClientSecret"] = secret, ["Auth"] = "ClientCredentials" }));
        await Read(client.GetAsync("/admin/api/providers/acme"));
        await Read(client.GetAsync("/admin/api/providers"));
        await Read(client.GetAsync("/admin/providers"));
        await Read(client.GetAsync("/admin/providers/acme/edit"));
        await Read(client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key")));
        await Read(client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/acme")));

        var logs = proxy.Logs.All;
        var exported = telemetry.AllText();
        // The provider was stored and used, and everything was recorded: the absence below means something.
        Assert.Contains("Stored provider acme created", logs, StringComparison.Ordinal);
        Assert.Contains("\"clientSecretSet\":true", seen.ToString(), StringComparison.Ordinal);
        Assert.Contains("Trace", logs, StringComparison.Ordinal);
        Assert.NotEmpty(telemetry.Spans);
        Canary.AssertAbsent(secret, logs, "logs");
        Canary.AssertAbsent(secret, exported, "spans and metrics");
        Canary.AssertAbsent(secret, seen.ToString(), "answers, problem bodies and pages");
    }
}
