using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Webhooks;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// A webhook reaches only what it may (docs/architecture.md §12): an address that can be judged is refused when the
/// webhook is saved; a name is judged by what it resolves to when the connection is made, and a refusal is not retried.
/// </summary>
public sealed class WebhookEgressTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private ProxyHost _proxy = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        // The resolver of the proxy's webhook client: one name resolves to a private address, "localhost" to loopback.
        _proxy = await ProxyHost.StartAsync(services: s => s.AddSingleton(new WebhookResolver((host, _) => Task.FromResult(
            host == "hooks.internal.test" ? [IPAddress.Parse("10.0.0.5")] : host == "mixed.test" ? [IPAddress.Loopback, IPAddress.Parse("192.168.0.9")] : new[] { IPAddress.Loopback }))));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PutAsync(string name, string url) =>
        await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Put, $"/admin/api/webhooks/{name}",
            new { url, secret = _receiver.Secret, events = new[] { "connection.created" } }));

    [Theory]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://[::ffff:10.0.0.1]/hook")]
    [InlineData("https://[2002:a00:1::]/hook")] // 6to4 of 10.0.0.1
    [InlineData("https://[2002:a9fe:a9fe::]/hook")] // 6to4 of 169.254.169.254
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook")] // Teredo
    [InlineData("https://[::10.0.0.1]/hook")] // IPv4-compatible
    [InlineData("http://hooks.example.com/hook")]
    [InlineData("ftp://127.0.0.1/hook")]
    [InlineData("https://user:pass@hooks.example.com/hook")]
    public async Task An_address_webhooks_may_not_reach_is_refused_when_saved(string url)
    {
        using var response = await PutAsync("refused", url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _));
        using var missing = await _proxy.Client.GetAsync("/admin/api/webhooks/refused");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("hooks.internal.test")]
    [InlineData("mixed.test")]
    public async Task A_name_resolving_to_a_private_address_is_refused_at_connect_time_and_not_retried(string host)
    {
        using (var created = await PutAsync("named", $"https://{host}:{_receiver.Url.Port}/hook"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var refused = await WebhookSetup.TestEventAsync(_proxy, "named");
        var failed = await WebhookSetup.WaitForDeliveryAsync(
            _proxy, d => d.GetProperty("eventId").GetString() == refused && d.GetProperty("status").GetString() == "failed", "named");

        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("lastStatus").ValueKind);
        Assert.Contains("may not reach", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task A_name_resolving_to_loopback_is_reached_over_http()
    {
        using (var created = await PutAsync("local", $"http://localhost:{_receiver.Url.Port}/hook"))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var test = await WebhookSetup.TestEventAsync(_proxy, "local");

        var received = Assert.Single(await _receiver.WaitForAsync(r => r.Count >= 1, "the test event"));
        Assert.Equal(test, received.EventId);
        Assert.True(received.SignatureValid);
    }
}
