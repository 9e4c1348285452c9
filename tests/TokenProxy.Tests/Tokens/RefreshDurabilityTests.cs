using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// A crash never loses a committed token, nor leaves half of one: the proxy is killed (SIGKILL) while a refresh
/// is in flight and right after one committed, and restarted on the same SQLite file each time.
/// </summary>
public sealed class RefreshDurabilityTests
{
    [Fact]
    public async Task A_write_that_leaves_the_tokens_alone_during_a_refresh_does_not_cost_the_refresh_its_answer()
    {
        // Another instance records that the API accepted the token, or a person edits the connection, while the token
        // endpoint answers: the row's version moves, its tokens do not. A rotating provider has spent the refresh token
        // that was sent, so discarding the answer would leave the connection holding a dead one (refresh_interrupted).
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(access: "access-0", refresh: "refresh-0");
        var store = scenario.Proxy.Services.GetRequiredService<IConnectionStore>();
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refreshing = scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
        await scenario.Authorization.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var row = (await store.GetAsync(id, CancellationToken.None))!;
        Assert.NotNull(await store.TryUpdateAsync(row with { Metadata = new Dictionary<string, string> { ["note"] = "kept" } }, CancellationToken.None));
        scenario.Authorization.Hold.SetResult();

        using var refreshed = await refreshing;
        using var api = await scenario.Proxy.Client.GetAsync("/acme/user");
        using var again = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal("Bearer access-1", Assert.Single(scenario.Api.Requests).Header("Authorization"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(["refresh-0", "refresh-1"], scenario.Authorization.Forms.Select(f => f["refresh_token"]));
        Assert.Equal("kept", (await store.GetAsync(id, CancellationToken.None))!.Metadata["note"]);
    }

    [Fact]
    public async Task Killing_the_process_mid_refresh_keeps_the_old_pair_and_after_a_commit_keeps_the_new_pair()
    {
        await using var api = await RecordingUpstream.StartAsync();
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        var key = VaultKey.Generate().ToBase64();
        var directory = ProxyHost.NewDataDirectory();
        var settings = authorization.Provider("acme", api.Address);
        settings["TokenProxy:DataDirectory"] = directory;
        settings["TokenProxy:Refresh:Background"] = "false";
        string id;
        try
        {
            // 1. The refresh is in flight (the token endpoint holds its answer) when the process dies.
            authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (var first = await ProxyProcess.StartAsync(settings, key))
            {
                using var import = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                    new { provider = "acme", accessToken = "access-0", refreshToken = "refresh-0", expiresIn = 60 }));
                id = (await import.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
                var inFlight = first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
                await authorization.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
                first.Kill();
                await Assert.ThrowsAnyAsync<Exception>(() => inFlight);
            }

            authorization.Hold.SetResult();
            authorization.Hold = null;

            // 2. Restarted: the old pair is intact and refreshes; the process dies right after the commit.
            await using (var second = await ProxyProcess.StartAsync(settings, key))
            {
                var before = await second.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}");
                Assert.Equal(JsonValueKind.Null, before.GetProperty("lastRefreshedAt").ValueKind);
                Assert.Equal("active", before.GetProperty("status").GetString());

                using var response = await second.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                second.Kill();
            }

            // 3. Restarted again: the committed pair survived the kill, and its refresh token is the one used next.
            await using (var third = await ProxyProcess.StartAsync(settings, key))
            {
                using var refresh = await third.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
                Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
                using var response = await third.Client.GetAsync("/acme/c");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        Assert.Equal(["refresh-0", "refresh-0", "refresh-2"], authorization.Forms.Select(f => f["refresh_token"]));
        Assert.Equal("Bearer access-3", Assert.Single(api.Requests).Header("Authorization"));
    }
}
