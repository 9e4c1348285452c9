using TokenProxy.OAuth;
using TokenProxy.Proxy;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>
/// <see cref="TokenService"/> called directly, on the fake clock, over the real SQLite store and a scripted token endpoint
/// (docs/architecture.md §5): what a request gets when the token is cached, due, shared, refused or unreachable, and
/// after the API answers 401. The end-to-end tests through the proxy are beside these.
/// </summary>
public sealed class TokenServiceTests
{
    [Fact]
    public async Task A_cached_token_is_answered_from_memory_without_the_store_or_the_token_endpoint()
    {
        CountingStore? counting = null;
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true, services: s => CountingStore.Wrap(s, created => counting = created));
        await scenario.ImportAsync(access: "cached");
        var tokens = scenario.Service<TokenService>();

        var first = await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);
        var readsAfterFirst = counting!.Reads;
        var pending = tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);
        var answeredAtOnce = pending.IsCompletedSuccessfully;
        var second = await pending;

        Assert.True(answeredAtOnce);
        Assert.True(first.Succeeded);
        Assert.Equal("Bearer cached", second.Value!.HeaderValue);
        Assert.Same(first.Value, second.Value);
        Assert.Equal(readsAfterFirst, counting.Reads);
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_token_inside_the_skew_before_expiry_is_refreshed_before_it_is_used()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(access: "stale", expiresIn: 3600);
        var tokens = scenario.Service<TokenService>();

        scenario.Clock.Advance(TimeSpan.FromMinutes(58));
        var early = await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);
        scenario.Clock.Advance(TimeSpan.FromMinutes(1.5)); // 30 s before expiry: inside the 1 min skew
        var due = await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);

        Assert.Equal("Bearer stale", early.Value!.HeaderValue);
        Assert.True(due.Succeeded);
        Assert.Equal("Bearer access-1", due.Value.HeaderValue);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.Equal("refresh-0", Assert.Single(scenario.Authorization.Forms)["refresh_token"]);
    }

    [Fact]
    public async Task Concurrent_lookups_of_a_due_token_wait_for_one_refresh_and_all_get_its_token()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        var tokens = scenario.Service<TokenService>();
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        var lookups = Enumerable.Range(0, 50)
            .Select(_ => tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask())
            .ToList();
        await scenario.Authorization.FirstCall.Task;
        scenario.Authorization.Hold.SetResult();
        var results = await Task.WhenAll(lookups);

        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.All(results, result => Assert.Equal("Bearer access-1", result.Value!.HeaderValue));
    }

    [Fact]
    public async Task Invalid_grant_is_a_rejection_the_app_sees_as_reconnection_needed()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant","error_description":"Refresh token revoked"}""");
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        var lookup = await scenario.Service<TokenService>().GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);
        var problem = ProxyProblems.ForLookup(lookup, scenario.Acme, "default", ConnectionScope.None, "http://127.0.0.1");
        var row = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);

        Assert.Equal(new TokenFailure(FailureKind.Rejected, "invalid_grant", "Refresh token revoked", HttpStatus: 400), lookup.Failure);
        Assert.Equal(id, lookup.Value!.ConnectionId);
        Assert.Equal((StatusCodes.Status401Unauthorized, "reconnect_required"), (problem.Status, problem.Code));
        Assert.Equal(ConnectionStatus.Error, row!.Status);
        Assert.Equal("invalid_grant", row.LastError!.Code);
    }

    [Fact]
    public async Task A_token_endpoint_answering_503_is_transient_the_connection_stays_active_and_the_expired_token_waits()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        // Longer than a request may wait: not retried, the app is told when to come back.
        scenario.Authorization.Respond = FakeAuthorizationServer.Answer(503, retryAfter: "30");
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        var lookup = await scenario.Service<TokenService>().GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None);
        var problem = ProxyProblems.ForLookup(lookup, scenario.Acme, "default", ConnectionScope.None, "http://127.0.0.1");
        var row = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);

        Assert.Equal(FailureKind.Transient, lookup.Failure!.Kind);
        Assert.Equal("http_503", lookup.Failure.Error);
        Assert.Equal(TimeSpan.FromSeconds(30), lookup.Failure.RetryAfter);
        Assert.Equal((StatusCodes.Status503ServiceUnavailable, "refresh_unavailable"), (problem.Status, problem.Code));
        Assert.Equal(ConnectionStatus.Active, row!.Status);
        Assert.NotNull(row.RefreshToken);
        Assert.Equal("http_503", row.LastError!.Code);
    }

    [Fact]
    public async Task A_token_endpoint_that_never_answers_times_out_on_the_clock_as_transient_and_the_connection_stays_active()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Clock.Advance(TimeSpan.FromHours(2));

        var pending = scenario.Service<TokenService>().GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        await scenario.Authorization.FirstCall.Task;
        scenario.Clock.Advance(TimeSpan.FromSeconds(30)); // Refresh:Timeout
        var lookup = await pending;
        scenario.Authorization.Hold.SetResult();
        var row = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);

        Assert.Equal(FailureKind.Transient, lookup.Failure!.Kind);
        Assert.Equal("timeout", lookup.Failure.Error);
        Assert.Equal(ConnectionStatus.Active, row!.Status);
        Assert.NotNull(row.RefreshToken);
    }

    [Fact]
    public async Task A_proxy_stops_while_a_refresh_still_waits_for_a_token_endpoint_that_never_answers()
    {
        var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        var lookup = scenario.Service<TokenService>().GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        await scenario.Authorization.FirstCall.Task;
        scenario.Clock.Advance(TimeSpan.FromSeconds(30)); // the caller gives up; the refresh goes on waiting
        await lookup;

        // The pipelines' disposal waits for their executions on the (fake) clock: the refresh is abandoned first.
        await scenario.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        scenario.Authorization.Hold.TrySetResult();
    }

    [Fact]
    public async Task A_token_endpoint_that_answers_after_the_wait_is_called_once_and_its_rotated_answer_is_kept()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync();
        var gaveUp = await GiveUpWaitingForAHeldRefreshAsync(scenario);
        var tokens = scenario.Service<TokenService>();
        // A request while the answer is still awaited (past the 5 s cool-down) joins that refresh: no second request with
        // the same refresh token, which a rotating provider may have spent already.
        scenario.Clock.Advance(TimeSpan.FromSeconds(10));
        var meanwhile = tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        scenario.Clock.Advance(TimeSpan.FromSeconds(10));
        scenario.Authorization.Hold!.SetResult(); // answered 50 s after it was sent, rotating the refresh token
        var served = await meanwhile;
        var store = scenario.Service<IConnectionStore>();

        Assert.Equal(("timeout", FailureKind.Transient), (gaveUp.Failure!.Error, gaveUp.Failure.Kind));
        Assert.True(served.Succeeded, served.Failure?.Description);
        Assert.Equal("Bearer access-1", served.Value.HeaderValue);
        Assert.Equal(1, scenario.Authorization.Calls);
        var row = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal(ConnectionStatus.Active, row!.Status);
        Assert.Null(row.LastError);
        Assert.Null(row.RefreshAttempt);
        Assert.True(scenario.Service<SecretSealer>().TryOpen(id, SecretSealer.RefreshTokenField, row.RefreshToken!, out var refresh));
        Assert.Equal("refresh-1", refresh);
    }

    [Fact]
    public async Task A_token_that_still_works_is_used_when_its_refresh_hangs_until_a_second_before_it_expires()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(expiresIn: 3600);
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokens = scenario.Service<TokenService>();
        // Inside the default one-minute skew: due for refresh, valid for 30 s more.
        scenario.Clock.Advance(TimeSpan.FromSeconds(3600 - 30));
        var waiting = tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        await scenario.Authorization.FirstCall.Task;

        scenario.Clock.Advance(TimeSpan.FromSeconds(28));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted, "the request waits for the refresh while the token lasts");
        scenario.Clock.Advance(TimeSpan.FromSeconds(1));
        var served = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        scenario.Authorization.Hold!.SetResult();
        await WaitUntilAsync(() => tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask(), "Bearer access-1");

        Assert.True(served.Succeeded, served.Failure?.Description);
        Assert.Equal("Bearer stale", served.Value.HeaderValue);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    private static async Task WaitUntilAsync(Func<Task<TokenResult<CachedCredential>>> lookup, string header)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await lookup()).Value?.HeaderValue != header)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no lookup answered {header} within 30 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_request_just_after_another_stopped_waiting_joins_the_refresh_still_under_way_instead_of_a_cool_down()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync();
        var gaveUp = await GiveUpWaitingForAHeldRefreshAsync(scenario);
        var tokens = scenario.Service<TokenService>();
        // One second later: nothing has failed, the refresh still waits for its answer.
        scenario.Clock.Advance(TimeSpan.FromSeconds(1));
        var next = tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        scenario.Authorization.Hold!.SetResult();
        var served = await next;

        Assert.True(gaveUp.Failure!.RefreshGoesOn);
        Assert.True(served.Succeeded, $"{served.Failure?.Error}: {served.Failure?.Description}");
        Assert.Equal("Bearer access-1", served.Value.HeaderValue);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_burst_of_lookups_missing_the_cache_reads_the_connection_once()
    {
        CountingStore? counting = null;
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true, services: s => CountingStore.Wrap(s, created => counting = created));
        await scenario.ImportAsync(access: "cold");
        var tokens = scenario.Service<TokenService>();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        counting!.ReadsHeldUntil = held.Task;
        var before = counting.Reads;

        // A cold instance under load: every request misses the cache before the first read answers.
        var lookups = Enumerable.Range(0, 200)
            .Select(_ => tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask())
            .ToList();
        held.SetResult();
        var results = await Task.WhenAll(lookups);

        Assert.All(results, r => Assert.Equal("Bearer cold", r.Value!.HeaderValue));
        Assert.Equal(1, counting.Reads - before);
    }

    [Fact]
    public async Task A_burst_of_401s_to_one_token_reads_the_store_once_and_refreshes_once()
    {
        CountingStore? counting = null;
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true, services: s => CountingStore.Wrap(s, created => counting = created));
        await scenario.ImportAsync(access: "refused");
        var tokens = scenario.Service<TokenService>();
        var used = (await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None)).Value!;
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        counting!.ReadsHeldUntil = held.Task;
        var before = counting.Reads;

        var recoveries = Enumerable.Range(0, 200).Select(_ => tokens.RecoverFromUnauthorizedAsync(scenario.Acme, used, CancellationToken.None)).ToList();
        while (counting.Reads == before)
        {
            await Task.Delay(10);
        }

        var readsWhileHeld = counting.Reads - before;
        held.SetResult();
        var results = await Task.WhenAll(recoveries);

        Assert.All(results, r => Assert.Equal("Bearer access-1", r!.Value.Value!.HeaderValue));
        Assert.Equal(1, readsWhileHeld);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_401_to_a_token_a_401_refresh_produced_refreshes_again_when_it_comes_within_a_second_of_its_expiry()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        scenario.Authorization.Respond = FakeAuthorizationServer.IssueTokens(expiresIn: 10);
        await scenario.ImportAsync(access: "refused");
        var tokens = scenario.Service<TokenService>();
        var used = (await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None)).Value!;
        var recovered = (await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, used, CancellationToken.None))!.Value.Value!;

        // Mid-life, a 401 to it is the API refusing a new token: held back (no loop) for Refresh:UnauthorizedBackoff.
        scenario.Clock.Advance(TimeSpan.FromSeconds(5));
        var midLife = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, recovered, CancellationToken.None);
        // At its end (the provider counts whole seconds from earlier than the proxy), the 401 is its expiry.
        scenario.Clock.Advance(TimeSpan.FromSeconds(4.5));
        var atItsEnd = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, recovered, CancellationToken.None);

        Assert.Equal("Bearer access-1", recovered.HeaderValue);
        Assert.Null(midLife);
        Assert.Equal("Bearer access-2", atItsEnd!.Value.Value!.HeaderValue);
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_401_finding_a_token_stored_since_that_is_at_its_end_too_renews_it_instead_of_replaying_it()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        var id = await scenario.ImportAsync(access: "refused");
        var tokens = scenario.Service<TokenService>();
        var used = (await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None)).Value!;
        // Meanwhile another instance refreshed it, a while ago: the token it stored lives less than a second more. (Requests
        // that queued for longer than a short token lives, under load, come back with their 401 into exactly this.)
        var store = scenario.Service<IConnectionStore>();
        var row = (await store.GetAsync(id, CancellationToken.None))!;
        var now = scenario.Clock.GetUtcNow();
        Assert.NotNull(await store.TryUpdateAsync(
            row with
            {
                AccessToken = scenario.Service<SecretSealer>().Seal(id, SecretSealer.AccessTokenField, "ending"),
                ExpiresAt = now.AddSeconds(0.5), LastRefreshedAt = now.AddSeconds(-1.5), UpdatedAt = now,
            },
            CancellationToken.None));

        var recovered = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, used, CancellationToken.None);

        Assert.Equal("Bearer access-1", recovered!.Value.Value!.HeaderValue);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_401_refreshes_once_and_another_401_to_that_new_token_is_passed_on_until_the_backoff_has_passed()
    {
        await using var scenario = await RefreshScenario.StartAsync(fakeClock: true);
        await scenario.ImportAsync(access: "refused");
        var tokens = scenario.Service<TokenService>();
        var used = (await tokens.GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None)).Value!;

        var recovered = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, used, CancellationToken.None);
        var again = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, recovered!.Value.Value!, CancellationToken.None);
        var callsWithinBackoff = scenario.Authorization.Calls;
        scenario.Clock.Advance(TimeSpan.FromSeconds(31)); // Refresh:UnauthorizedBackoff
        var afterBackoff = await tokens.RecoverFromUnauthorizedAsync(scenario.Acme, recovered.Value.Value!, CancellationToken.None);

        Assert.Equal("Bearer access-1", recovered.Value.Value!.HeaderValue);
        Assert.Null(again);
        Assert.Equal(1, callsWithinBackoff);
        Assert.Equal("Bearer access-2", afterBackoff!.Value.Value!.HeaderValue);
        Assert.Equal(2, scenario.Authorization.Calls);
    }

    /// <summary>
    /// The token expired, the token endpoint holds its answer (<see cref="FakeAuthorizationServer.Hold"/>), and a request
    /// waited <c>Refresh:Timeout</c> for the refresh and gave up: what it got.
    /// </summary>
    private static async Task<TokenResult<CachedCredential>> GiveUpWaitingForAHeldRefreshAsync(RefreshScenario scenario)
    {
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scenario.Clock.Advance(TimeSpan.FromHours(2));
        var first = scenario.Service<TokenService>().GetAccessTokenAsync(scenario.Acme, "default", ConnectionScope.None, CancellationToken.None).AsTask();
        await scenario.Authorization.FirstCall.Task;
        scenario.Clock.Advance(TimeSpan.FromSeconds(30)); // Refresh:Timeout: the request stops waiting
        return await first;
    }
}
