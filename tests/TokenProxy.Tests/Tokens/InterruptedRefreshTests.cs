using System.Net;
using System.Text.Json;
using TokenProxy.Events;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// A refresh is recorded on its row before the refresh token is sent and cleared by the write that stores its answer, so a
/// process that dies in between leaves a trace; the next refresh's <c>invalid_grant</c> then says a reconnect is needed
/// because of that interruption, not for an unknown reason (docs/architecture.md §5). On each store.
/// </summary>
public abstract class InterruptedRefreshTests
{
    /// <summary>Points the proxy at the store under test.</summary>
    private protected abstract void UseStore(Dictionary<string, string?> settings);

    [Fact]
    public async Task A_refresh_is_recorded_before_it_is_sent_without_a_new_version_and_cleared_with_its_answer()
    {
        var telemetry = new CollectedTelemetry();
        await using var scenario = await RefreshScenario.StartAsync(UseStore, telemetry: telemetry);
        var id = await scenario.ImportAsync();
        var store = scenario.Service<IConnectionStore>();
        var before = (await store.GetAsync(id, CancellationToken.None))!;
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var refresh = scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        await scenario.Authorization.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var inFlight = (await store.GetAsync(id, CancellationToken.None))!;
        scenario.Authorization.Hold.SetResult();
        using var refreshed = await refresh;
        var after = (await store.GetAsync(id, CancellationToken.None))!;

        Assert.Null(before.RefreshAttempt);
        Assert.NotNull(inFlight.RefreshAttempt);
        Assert.Equal(before.Version, inFlight.Version);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Null(after.RefreshAttempt);
        Assert.Equal(before.Version + 1, after.Version);
        await telemetry.WaitForSpanAsync(s => s.OperationName == "tokenproxy.refresh" && s.GetTagItem("tokenproxy.connection.id") as string == id);
        Assert.IsType<double>(Assert.Single(telemetry.Named("tokenproxy.refresh", id)).GetTagItem("tokenproxy.refresh.unconfirmed_ms"));
    }

    [Fact]
    public async Task An_invalid_grant_after_an_interrupted_refresh_says_a_reconnect_is_needed_because_of_it()
    {
        await using var scenario = await RefreshScenario.StartAsync(UseStore);
        var id = await scenario.ImportAsync();
        var store = scenario.Service<IConnectionStore>();
        var row = (await store.GetAsync(id, CancellationToken.None))!;
        // What a process killed after sending leaves behind.
        Assert.True(await store.TryMarkRefreshAttemptAsync(id, row.Version, new RefreshAttempt("dead0000", row.UpdatedAt), CancellationToken.None));
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = "grant request is invalid" });

        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("error", connection.GetProperty("status").GetString());
        Assert.Equal(TokenRefresher.RefreshInterrupted, connection.GetProperty("lastError").GetProperty("code").GetString());
        Assert.Equal(
            "A refresh was interrupted; the provider rotated the refresh token. Reconnect to continue.",
            connection.GetProperty("lastError").GetProperty("description").GetString());
        var error = await ErrorEventAsync(scenario.Proxy.Client, id);
        Assert.Equal(TokenRefresher.RefreshInterrupted, error.GetProperty("data").GetProperty("error").GetString());
        Assert.Null((await store.GetAsync(id, CancellationToken.None))!.RefreshAttempt);
        Assert.Contains("[1180]", scenario.Proxy.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_grant_without_an_interruption_keeps_the_provider_s_words()
    {
        await using var scenario = await RefreshScenario.StartAsync(UseStore);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, new { error = "invalid_grant", error_description = "grant request is invalid" });

        using var refresh = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        var connection = await scenario.ConnectionAsync(id);
        Assert.Equal("invalid_grant", connection.GetProperty("lastError").GetProperty("code").GetString());
        Assert.Equal("grant request is invalid", connection.GetProperty("lastError").GetProperty("description").GetString());
        Assert.Equal("invalid_grant", (await ErrorEventAsync(scenario.Proxy.Client, id)).GetProperty("data").GetProperty("error").GetString());
    }

    [Fact]
    public async Task Killed_while_a_rotating_provider_holds_its_answer_the_next_refresh_names_the_interruption()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc", accessTokenSeconds: 3600);
        var settings = server.Provider("oidc");
        settings["urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Refresh:Background"] = "false";
        UseStore(settings);
        var key = VaultKey.Generate().ToBase64();
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            string id;
            await using (var first = await ProxyProcess.StartAsync(settings, key, null, directory))
            {
                id = await ConnectAsync(first.Address);
                await server.HoldRefreshAnswersAsync(true);
                var inFlight = first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
                while ((await server.StatsAsync()).GetProperty("held").GetInt32() == 0)
                {
                    await Task.Delay(20);
                }

                // The provider rotated the refresh token; the answer that carries the new one never reaches the store.
                first.Kill();
                await Assert.ThrowsAnyAsync<Exception>(() => inFlight);
                await server.HoldRefreshAnswersAsync(false);
            }

            await using var second = await ProxyProcess.StartAsync(settings, key, null, directory);
            using var refresh = await second.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
            var connection = await second.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}");

            Assert.NotEqual(HttpStatusCode.OK, refresh.StatusCode);
            Assert.Equal("error", connection.GetProperty("status").GetString());
            Assert.Equal(TokenRefresher.RefreshInterrupted, connection.GetProperty("lastError").GetProperty("code").GetString());
            Assert.Equal(TokenRefresher.RefreshInterruptedText, connection.GetProperty("lastError").GetProperty("description").GetString());
            Assert.Equal(TokenRefresher.RefreshInterrupted, (await ErrorEventAsync(second.Client, id)).GetProperty("data").GetProperty("error").GetString());
            Assert.Equal(2, (await server.StatsAsync()).GetProperty("refresh_token").GetInt32());
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(directory);
        }
    }

    private static async Task<string> ConnectAsync(Uri proxy)
    {
        using var browser = new ConnectFlow(proxy);
        using var connect = await browser.GetAsync("/admin/connect/oidc");
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, "erin", $"{proxy.AbsoluteUri}admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        return callback.Headers.Location!.OriginalString.Split('/', '?')[3];
    }

    private static async Task<JsonElement> ErrorEventAsync(HttpClient client, string id)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"/admin/api/events?connection={id}&type={EventTypes.ConnectionError}");
        return Assert.Single(page.GetProperty("items").EnumerateArray());
    }
}

/// <summary>On the embedded store.</summary>
public sealed class SqliteInterruptedRefreshTests : InterruptedRefreshTests
{
    private protected override void UseStore(Dictionary<string, string?> settings)
    {
    }
}

/// <summary>On a shared store (its vault key made beforehand, as a shared store requires).</summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresInterruptedRefreshTests(PostgresServer server) : InterruptedRefreshTests, IAsyncLifetime
{
    private PostgresStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await PostgresStore.CreateAsync(server);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
    }

    private protected override void UseStore(Dictionary<string, string?> settings) => _store.Apply(settings);
}
