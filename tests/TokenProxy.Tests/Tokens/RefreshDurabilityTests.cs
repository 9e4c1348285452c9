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
