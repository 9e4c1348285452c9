using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Tokens;

public sealed class ProactiveRefreshTests
{
    [Fact]
    public async Task Expired_token_is_refreshed_once_for_500_concurrent_requests()
    {
        var inFlight = 0;
        var allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var scenario = await RefreshScenario.StartAsync(services: s => s.AddSingleton<IStartupFilter>(new CountingFilter(() =>
        {
            if (Interlocked.Increment(ref inFlight) == 500)
            {
                allWaiting.TrySetResult();
            }
        })), fakeClock: true);
        await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var client = new HttpClient { BaseAddress = scenario.Proxy.Address };
        var requests = Enumerable.Range(0, 500).Select(i => client.GetAsync($"/acme/item/{i}")).ToList();
        // Every request is inside the proxy and the token endpoint is holding its answer: all of them wait on one refresh.
        await allWaiting.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await scenario.Authorization.FirstCall.Task;
        scenario.Authorization.Hold.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal(500, scenario.Api.Requests.Count);
        Assert.All(scenario.Api.Requests, r => Assert.Equal("Bearer access-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task Token_expiring_within_the_skew_is_refreshed_before_use_and_expiry_counts_from_local_receipt()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync(expiresIn: 3600);

        scenario.Clock.Advance(TimeSpan.FromMinutes(58)); // 2 minutes left: outside the 1-minute skew
        await scenario.Proxy.Client.GetAsync("/acme/a");
        scenario.Clock.Advance(TimeSpan.FromSeconds(90)); // 30 seconds left: inside it
        await scenario.Proxy.Client.GetAsync("/acme/b");
        await scenario.Proxy.Client.GetAsync("/acme/c");
        var connection = await scenario.ConnectionAsync(id);

        Assert.Equal(["Bearer stale", "Bearer access-1", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal(scenario.Clock.GetUtcNow().AddSeconds(3600), connection.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(scenario.Clock.GetUtcNow(), connection.GetProperty("lastRefreshedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Per_provider_skew_overrides_the_global_one()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:RefreshSkew"] = "00:10:00", fakeClock: true);
        await scenario.ImportAsync(expiresIn: 3600);

        scenario.Clock.Advance(TimeSpan.FromMinutes(51)); // 9 minutes left
        await scenario.Proxy.Client.GetAsync("/acme/a");

        Assert.Equal("Bearer access-1", Assert.Single(scenario.Api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Token_without_expiry_is_used_until_the_api_says_401()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(expiresIn: null);

        scenario.Clock.Advance(TimeSpan.FromDays(400));
        await scenario.Proxy.Client.GetAsync("/acme/a");

        Assert.Equal(0, scenario.Authorization.Calls);
        Assert.Equal("Bearer stale", Assert.Single(scenario.Api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Rotated_refresh_token_is_stored_and_used_next_time_and_kept_when_none_is_returned()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(expiresIn: 3600);

        scenario.Clock.Advance(TimeSpan.FromHours(2));
        await scenario.Proxy.Client.GetAsync("/acme/a"); // refresh-0 → access-1 + refresh-1
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(rotate: false, prefix: "norotate-");
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        await scenario.Proxy.Client.GetAsync("/acme/b"); // refresh-1 → access, no refresh token: keep refresh-1
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        await scenario.Proxy.Client.GetAsync("/acme/c"); // still refresh-1

        Assert.Equal(["refresh-0", "refresh-1", "refresh-1"], scenario.Authorization.Forms.Select(f => f["refresh_token"]));
        Assert.All(scenario.Authorization.Forms, f => Assert.Equal("refresh_token", f["grant_type"]));
    }

    [Fact]
    public async Task First_callers_cancellation_does_not_lose_the_refreshed_token()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using var hangUp = new CancellationTokenSource();
        var first = scenario.Proxy.Client.GetAsync("/acme/first", hangUp.Token);
        await scenario.Authorization.FirstCall.Task;
        await hangUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        scenario.Authorization.Hold.SetResult();
        using var second = await scenario.Proxy.Client.GetAsync("/acme/second");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal("Bearer access-1", scenario.Api.Requests.Single(r => r.PathAndQuery == "/second").Header("Authorization"));
    }

    [Fact]
    public async Task Client_authentication_follows_the_provider_config()
    {
        await using var scenario = await RefreshScenario.StartAsync(s => s["TokenProxy:Providers:acme:TokenEndpointAuth"] = "client_secret_post", fakeClock: true);
        await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        await scenario.Proxy.Client.GetAsync("/acme/a");

        var form = Assert.Single(scenario.Authorization.Forms);
        Assert.Equal("test-client", form["client_id"]);
        Assert.Equal(FakeAuthorizationServer.ClientSecret, form["client_secret"]);
        Assert.Equal(string.Empty, Assert.Single(scenario.Authorization.ClientAuthorizations));
        Canary.AssertAbsent(FakeAuthorizationServer.ClientSecret, scenario.Proxy.Logs.All, "logs");
    }

    [Fact]
    public async Task Default_client_authentication_is_http_basic()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        await scenario.Proxy.Client.GetAsync("/acme/a");

        var basic = Assert.Single(scenario.Authorization.ClientAuthorizations)!;
        Assert.StartsWith("Basic ", basic, StringComparison.Ordinal);
        Assert.Equal($"test-client:{FakeAuthorizationServer.ClientSecret}", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])));
        Assert.False(Assert.Single(scenario.Authorization.Forms).ContainsKey("client_secret"));
    }

    [Fact]
    public async Task Background_refresher_refreshes_due_and_idle_connections_and_leaves_fresh_ones()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var due = await scenario.ImportAsync(expiresIn: 60, label: "due");
        var idle = await scenario.ImportAsync(expiresIn: null, label: "idle");
        var fresh = await scenario.ImportAsync(expiresIn: 3600, label: "fresh");
        var refresher = scenario.Proxy.Services.GetRequiredService<TokenProxy.Tokens.BackgroundRefresher>();

        // A 60-second token under the default 1-minute skew is due when 90 % of its lifetime has passed.
        scenario.Clock.Advance(TimeSpan.FromSeconds(55));
        var first = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);
        scenario.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var second = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);

        Assert.Equal(1, first); // only "due"
        Assert.Equal(3, second); // a day later every refresh token is idle (fresh was never refreshed; due and idle too)
        Assert.NotNull((await scenario.ConnectionAsync(idle)).GetProperty("lastRefreshedAt").GetString());
        Assert.NotNull((await scenario.ConnectionAsync(due)).GetProperty("lastRefreshedAt").GetString());
        Assert.Equal(4, scenario.Authorization.Calls);
        _ = fresh;
    }

    [Fact]
    public async Task A_provider_idle_lifetime_shorter_than_IdleRefreshAfter_is_kept_alive_with_one_refresh_per_half_window()
    {
        // 12 hours of idleness end the grant at this provider; the default IdleRefreshAfter (1 day) would let it lapse.
        await using var scenario = await RefreshScenario.StartAsync(
            settings => settings["TokenProxy:Providers:acme:RefreshTokenIdleLifetime"] = "12:00:00", fakeClock: true);
        var id = await scenario.ImportAsync(expiresIn: null);
        var refresher = scenario.Proxy.Services.GetRequiredService<TokenProxy.Tokens.BackgroundRefresher>();

        scenario.Clock.Advance(TimeSpan.FromHours(5));
        var early = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);
        scenario.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var halfway = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);
        var refreshed = await scenario.ConnectionAsync(id);
        scenario.Clock.Advance(TimeSpan.FromMinutes(30));
        var soonAfter = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);
        scenario.Clock.Advance(TimeSpan.FromHours(6));
        var nextWindow = await refresher.RunOnceAsync(jitter: false, CancellationToken.None);

        Assert.Equal(0, early);
        Assert.Equal(1, halfway);
        Assert.Equal("active", refreshed.GetProperty("status").GetString());
        Assert.Equal(0, soonAfter);
        Assert.Equal(1, nextWindow);
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task Abandoned_connect_leaves_no_pending_connection_behind()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var active = await scenario.ImportAsync(label: "kept");
        await scenario.Proxy.Client.GetAsync("/admin/connect/acme?label=abandoned");
        var store = scenario.Proxy.Services.GetRequiredService<TokenProxy.Vault.IConnectionStore>();
        var refresher = scenario.Proxy.Services.GetRequiredService<TokenProxy.Tokens.BackgroundRefresher>();

        var tooEarly = await refresher.RemoveAbandonedAsync(await store.ListAsync(CancellationToken.None), CancellationToken.None);
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        var later = await refresher.RemoveAbandonedAsync(await store.ListAsync(CancellationToken.None), CancellationToken.None);

        Assert.Equal(0, tooEarly);
        Assert.Equal(1, later);
        Assert.Equal(active, Assert.Single(await store.ListAsync(CancellationToken.None)).Id);
    }

    private sealed class CountingFilter(Action onRequest) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                onRequest();
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
