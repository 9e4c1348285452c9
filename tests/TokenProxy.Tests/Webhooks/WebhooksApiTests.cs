using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>
/// <c>/admin/api/webhooks</c>: webhooks made, changed and deleted through the API with a write-only secret, sealed with the
/// vault key and re-sealed by a key rotation; deliveries listed, redelivered and a test event sent.
/// </summary>
public sealed class WebhooksApiTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private ProxyHost _proxy = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _proxy = await ProxyHost.StartAsync(WebhookSetup.Settings(_receiver.Url, _receiver.Secret, name: "configured"));
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Task<HttpResponseMessage> PutAsync(string name, object body) =>
        _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Put, $"/admin/api/webhooks/{name}", body));

    [Fact]
    public async Task A_webhook_is_created_changed_without_repeating_its_secret_and_deleted_and_its_secret_is_never_shown()
    {
        using var created = await PutAsync("crm", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" } });
        using var workspace = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "team-a", displayName = "Team A" }));
        using var changed = await PutAsync("crm", new { url = _receiver.Url, events = new[] { "connection.created", "connection.error" }, workspace = "team-a" });
        var shown = await _proxy.Client.GetStringAsync("/admin/api/webhooks/crm");
        var listed = await _proxy.Client.GetStringAsync("/admin/api/webhooks");
        var test = await WebhookSetup.TestEventAsync(_proxy, "crm");
        var received = Assert.Single(await _receiver.WaitForAsync(r => r.Any(x => x.EventId == test), "the test event"));
        using var deleted = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/webhooks/crm"));
        using var gone = await _proxy.Client.GetAsync("/admin/api/webhooks/crm");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var view = JsonDocument.Parse(shown).RootElement;
        Assert.Equal(["connection.created", "connection.error"], view.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("team-a", view.GetProperty("workspace").GetString());
        Assert.True(view.GetProperty("secretSet").GetBoolean());
        Assert.False(view.TryGetProperty("secret", out _));
        Assert.DoesNotContain(_receiver.Secret, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(_receiver.Secret, listed, StringComparison.Ordinal);
        Assert.True(received.SignatureValid, "signed with the secret kept from the first PUT");
        Assert.Equal("webhook.test", received.EventType);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_bad_webhook_is_refused_naming_every_field_and_a_configured_one_cannot_be_changed_here()
    {
        using var bad = await PutAsync("crm", new { url = "http://10.0.0.1/", secret = "short", events = new[] { "connection.nope" } });
        using var noSecret = await PutAsync("new-one", new { url = _receiver.Url, events = new[] { "connection.created" } });
        using var configured = await PutAsync("configured", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" } });
        using var deleteConfigured = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/webhooks/configured"));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["url", "secret", "events"], errors.EnumerateObject().Select(p => p.Name));
        Assert.DoesNotContain("short", errors.GetProperty("secret")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, configured.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, deleteConfigured.StatusCode);
    }

    [Fact]
    public async Task A_workspace_webhook_asking_for_provider_events_is_refused_since_they_belong_to_no_workspace()
    {
        using var workspace = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "team-a", displayName = "Team A" }));
        using var refused = await PutAsync("crm", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.error", "provider.unavailable" }, workspace = "team-a" });
        using var unscoped = await PutAsync("ops", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.error", "provider.unavailable" } });
        var settings = WebhookSetup.Settings(_receiver.Url, _receiver.Secret, name: "scoped");
        settings["TokenProxy:Webhooks:scoped:Workspace"] = "team-a";
        settings["TokenProxy:Webhooks:scoped:Events:2"] = "provider.misconfigured";

        var startup = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(settings));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("provider.unavailable belong to no workspace", errors.GetProperty("events")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, unscoped.StatusCode);
        Assert.Contains("provider.misconfigured belong to no workspace", startup.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_for_a_workspace_that_does_not_exist_is_refused_and_a_configured_one_is_warned_about_at_start()
    {
        using var typo = await PutAsync("crm", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" }, workspace = "team-typo" });
        using var gone = await _proxy.Client.GetAsync("/admin/api/webhooks/crm");
        var settings = WebhookSetup.Settings(_receiver.Url, _receiver.Secret, name: "scoped");
        settings["TokenProxy:Webhooks:scoped:Workspace"] = "later-co";
        await using var configured = await ProxyHost.StartAsync(settings);
        var warned = await WaitForLineAsync(configured, "[1605]");

        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        var errors = (await typo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("There is no workspace 'team-typo'. Create it first with POST /admin/api/workspaces.", errors.GetProperty("workspace")[0].GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.StartsWith("Warning ", warned, StringComparison.Ordinal);
        Assert.Contains("Webhook scoped takes only the events of workspace later-co, which does not exist", warned, StringComparison.Ordinal);
        Assert.DoesNotContain(_proxy.Logs.Lines, l => l.Contains("[1605]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleting_a_workspace_deletes_its_webhooks_so_a_new_workspace_of_that_id_is_not_told_to_them()
    {
        using var created = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "ws1", displayName = "Old client" }));
        using var scoped = await PutAsync("old-client", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" }, workspace = "ws1" });
        using var everyone = await PutAsync("everyone", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" } });

        using var deleted = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/ws1"));
        using var gone = await _proxy.Client.GetAsync("/admin/api/webhooks/old-client");
        using var kept = await _proxy.Client.GetAsync("/admin/api/webhooks/everyone");

        Assert.Equal(HttpStatusCode.Created, scoped.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
    }

    private static async Task<string> WaitForLineAsync(ProxyHost proxy, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (proxy.Logs.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no log line {text}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_misspelt_key_and_a_value_of_the_wrong_type_are_refused_under_their_names_and_a_non_json_body_is_told_the_shape()
    {
        using var misspelt = await PutAsync("crm", new { url = _receiver.Url, secret = "crm-secret-0123456789", evnts = new[] { "connection.created" } });
        using var wrongType = await PutAsync("crm", new { url = _receiver.Url, secret = "crm-secret-0123456789", events = "connection.created" });
        using var notJson = await _proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/api/webhooks/crm")
        {
            Content = new StringContent("url=x", System.Text.Encoding.UTF8, "text/plain"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });
        using var gone = await _proxy.Client.GetAsync("/admin/api/webhooks/crm");

        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        var misspeltErrors = (await misspelt.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("evnts: not a field of a webhook (did you mean events?)", misspeltErrors.GetProperty("evnts")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        var wrongErrors = (await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("wrong type", wrongErrors.GetProperty("events")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(TokenProxy.Admin.WebhooksApi.Shape, (await notJson.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_delivery_queued_before_its_webhook_moved_to_another_workspace_is_not_sent_to_the_new_receiver()
    {
        // An agency points a client's webhook at another client: what waits in its queue belongs to the first one.
        foreach (var id in new[] { "team-a", "team-b" })
        {
            using var workspace = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id, displayName = id }));
            Assert.Equal(HttpStatusCode.Created, workspace.StatusCode);
        }

        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = n => n == 0 ? (429, "1", null) : (200, null, null);
        using (var created = await PutAsync("crm", new { url = receiver.Url, secret = receiver.Secret, events = new[] { "connection.created" }, workspace = "team-a" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await ImportAsync("team-a");
        var first = Assert.Single(await receiver.WaitForAsync(r => r.Any(x => x.EventType == "connection.created"), "team-a's event, answered 429"));
        using (var moved = await PutAsync("crm", new { url = receiver.Url, events = new[] { "connection.created" }, workspace = "team-b" }))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        var dropped = await WebhookSetup.WaitForDeliveryAsync(
            _proxy, d => d.GetProperty("eventId").GetString() == first.EventId && d.GetProperty("status").GetString() == "failed", "crm");
        await ImportAsync("team-b");
        await receiver.WaitForAsync(r => r.Any(x => x.EventType == "connection.created" && x.EventId != first.EventId), "team-b's event");

        var bodies = receiver.Requests.Where(r => r.EventType == "connection.created").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("workspace").GetString());
        Assert.Equal(["team-a", "team-b"], bodies);
        Assert.Contains("no longer asks for this event", dropped.GetProperty("lastError").GetString(), StringComparison.Ordinal);
    }

    private async Task ImportAsync(string workspace)
    {
        using var imported = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
            new { provider = "acme", label = $"for-{workspace}", workspace, accessToken = Canary.New("access") }));
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
    }

    [Fact]
    public async Task A_delivered_event_is_sent_again_on_redeliver_and_deliveries_show_its_attempts()
    {
        var test = await WebhookSetup.TestEventAsync(_proxy, "configured");
        await _receiver.WaitForAsync(r => r.Count(x => x.EventId == test) == 1, "the test event");
        var delivery = await WebhookSetup.WaitForDeliveryAsync(
            _proxy, d => d.GetProperty("eventId").GetString() == test && d.GetProperty("status").GetString() == "delivered", "configured");

        using var redeliver = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(
            HttpMethod.Post, $"/admin/api/webhooks/configured/deliveries/{delivery.GetProperty("id").GetInt64()}/redeliver"));
        using var unknown = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/webhooks/configured/deliveries/999999/redeliver"));

        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var twice = await _receiver.WaitForAsync(r => r.Count(x => x.EventId == test) == 2, "the test event again");
        Assert.All(twice, r => Assert.True(r.SignatureValid));
        Assert.Equal(200, delivery.GetProperty("lastStatus").GetInt32());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());
        Assert.Equal("webhook.test", delivery.GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task A_key_rotation_reseals_a_webhooks_secret_and_deliveries_stay_signed_with_it()
    {
        using (var created = await PutAsync("crm", new { url = _receiver.Url, secret = _receiver.Secret, events = new[] { "connection.created" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var rotate = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
        var rotation = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        var test = await WebhookSetup.TestEventAsync(_proxy, "crm");

        Assert.Equal(HttpStatusCode.OK, rotate.StatusCode);
        Assert.Equal(2, rotation.GetProperty("resealed").GetInt32()); // the configured webhook and this one
        Assert.Single(rotation.GetProperty("retiredKeyIds").EnumerateArray());
        var received = Assert.Single(await _receiver.WaitForAsync(r => r.Any(x => x.EventId == test), "the test event"));
        Assert.True(received.SignatureValid);
    }
}
