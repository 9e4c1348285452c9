using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>While the store cannot be used, a cached token serves as long as it is valid, and not a moment longer.</summary>
public sealed class StoreOutageTests
{
    [Fact]
    public async Task A_cached_token_due_for_refresh_is_used_while_the_store_is_down_and_503_store_unavailable_once_expired()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created), fakeClock: true);
        await scenario.ImportAsync(expiresIn: 3600);
        using (var warm = await scenario.Proxy.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        store!.Unavailable = true;
        // Inside the default 1 minute skew: due for refresh, which needs the store; the token itself still works.
        scenario.Clock.Advance(TimeSpan.FromSeconds(3600 - 30));
        using (var due = await scenario.Proxy.Client.GetAsync("/acme/due"))
        {
            Assert.Equal(HttpStatusCode.OK, due.StatusCode);
        }

        scenario.Clock.Advance(TimeSpan.FromSeconds(31));
        using (var expired = await scenario.Proxy.Client.GetAsync("/acme/expired"))
        {
            await Problems.AssertProblemAsync(expired, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        }

        store.Unavailable = false;
        using (var recovered = await scenario.Proxy.Client.GetAsync("/acme/recovered"))
        {
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        }

        Assert.Equal(["Bearer stale", "Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task An_upstream_401_while_the_store_is_down_is_503_store_unavailable()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        await scenario.ImportAsync(expiresIn: 3600);
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        using (var warm = await scenario.Proxy.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, warm.StatusCode);
        }

        store!.Unavailable = true;
        using var response = await scenario.Proxy.Client.GetAsync("/acme/rejected");

        await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        // Answered, not logged per request with its stack: the store logs the outage itself.
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, l => l.Contains(nameof(StoreUnavailableException), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cached_token_the_api_refuses_while_the_store_is_down_is_503_store_unavailable_not_an_upstream_failure()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        await scenario.ImportAsync(expiresIn: 3600);
        using (var warm = await scenario.Proxy.Client.GetAsync("/acme/warm"))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        }

        // The token is cached and valid; the API refuses it while the store is down: the refresh it calls for needs the store.
        store!.Unavailable = true;
        scenario.Api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        for (var i = 0; i < 3; i++)
        {
            using var response = await scenario.Proxy.Client.GetAsync("/acme/refused");
            await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "store_unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, l => l.Contains("Forwarding to", StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, l => l.Contains(nameof(StoreUnavailableException), StringComparison.Ordinal));
        Assert.Equal(0, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_refreshed_token_the_api_accepts_as_the_store_goes_down_reaches_the_app()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        await scenario.ImportAsync(expiresIn: 3600);
        var calls = 0;
        scenario.Api.Respond = (context, _) =>
        {
            // The stored token is refused: a 401-driven refresh gets a new one, and the replay is accepted just as the
            // store goes down, before the proxy records that the new token works.
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }
            else
            {
                store!.Unavailable = true;
            }

            return Task.CompletedTask;
        };

        using var response = await scenario.Proxy.Client.GetAsync("/acme/replayed");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Bearer stale", "Bearer access-1"], scenario.Api.Requests.Select(r => r.Header("Authorization")));
        Assert.DoesNotContain(scenario.Proxy.Logs.Lines, l => l.Contains("Forwarding to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_answer_of_a_refresh_sent_before_the_store_went_down_is_stored_once_it_is_back_and_nothing_is_sent_twice()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        var id = await scenario.ImportAsync(expiresIn: 1);
        var first = await SendWhileTheTokenEndpointHoldsItsAnswerAsync(scenario);

        // The provider answers (rotating the refresh token) just after the store went down.
        store!.Unavailable = true;
        scenario.Authorization.Hold!.SetResult();
        await WaitForAsync(() => scenario.Proxy.Logs.Lines.Any(l => l.Contains("[1181]", StringComparison.Ordinal)));
        // The answer cannot be used before it is stored: the request that waited for it, and one that comes meanwhile, get
        // the outage's answer at once rather than wait out Refresh:Timeout (30 s) with the app's connection held.
        using var waited = await first.WaitAsync(TimeSpan.FromSeconds(10));
        var meanwhile = System.Diagnostics.Stopwatch.StartNew();
        using var during = await scenario.Proxy.Client.GetAsync("/acme/during");
        meanwhile.Stop();
        store.Unavailable = false;
        using var after = await GetOnceStoredAsync(scenario);

        await Problems.AssertProblemAsync(waited, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        await Problems.AssertProblemAsync(during, HttpStatusCode.ServiceUnavailable, "store_unavailable");
        Assert.True(meanwhile.Elapsed < TimeSpan.FromSeconds(5), $"a request during the outage waited {meanwhile.Elapsed}");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
        Assert.All(scenario.Api.Requests, r => Assert.Equal("Bearer access-1", r.Header("Authorization")));
        var row = await scenario.Service<IConnectionStore>().GetAsync(id, CancellationToken.None);
        Assert.Equal((ConnectionStatus.Active, null, null), (row!.Status, row.LastError, row.RefreshAttempt));
        Assert.True(scenario.Service<SecretSealer>().TryOpen(id, SecretSealer.RefreshTokenField, row.RefreshToken!, out var refresh));
        Assert.Equal("refresh-1", refresh);
    }

    [Fact]
    public async Task A_refresh_answer_waiting_for_the_store_is_stored_as_soon_as_the_store_is_back_not_after_its_pause()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        await scenario.ImportAsync(expiresIn: 1);
        var first = await SendWhileTheTokenEndpointHoldsItsAnswerAsync(scenario);
        store!.Unavailable = true;
        scenario.Authorization.Hold!.SetResult();
        // Pauses of 1, 2 and 4 s: the store comes back early in the third.
        await WaitForAsync(() => scenario.Proxy.Logs.Lines.Any(l => l.Contains("[1181]", StringComparison.Ordinal) && l.Contains("in 4 s", StringComparison.Ordinal)));

        store.Unavailable = false;
        var back = System.Diagnostics.Stopwatch.StartNew();
        using var after = await GetOnceStoredAsync(scenario);
        back.Stop();
        using var waited = await first;

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.True(back.Elapsed < TimeSpan.FromSeconds(3), $"stored {back.Elapsed} after the store was back (the pause was 4 s)");
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    [Fact]
    public async Task A_refresh_taken_for_interrupted_while_its_answer_was_on_the_way_is_stored_and_the_connection_is_active_again()
    {
        await using var scenario = await RefreshScenario.StartAsync();
        var id = await scenario.ImportAsync(expiresIn: 1);
        var first = await SendWhileTheTokenEndpointHoldsItsAnswerAsync(scenario);

        // Meanwhile another instance (its lock lost with the database) sent the spent refresh token and marked the row.
        var store = scenario.Service<IConnectionStore>();
        var row = await store.GetAsync(id, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        Assert.NotNull(await store.TryUpdateAsync(
            row! with
            {
                Status = ConnectionStatus.Error, RefreshAttempt = null, UpdatedAt = now,
                LastError = new ConnectionError(TokenProxy.Tokens.TokenRefresher.RefreshInterrupted, TokenProxy.Tokens.TokenRefresher.RefreshInterruptedText, now),
            },
            CancellationToken.None));
        scenario.Authorization.Hold!.SetResult();
        using var answered = await first;

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("Bearer access-1", Assert.Single(scenario.Api.Requests).Header("Authorization"));
        var stored = await store.GetAsync(id, CancellationToken.None);
        Assert.Equal((ConnectionStatus.Active, null), (stored!.Status, stored.LastError));
        Assert.Contains(scenario.Proxy.Logs.Lines, l => l.Contains("[1182]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Just_after_an_outage_a_refresh_another_instance_recorded_is_given_time_to_store_its_answer_before_the_token_is_sent_again()
    {
        CountingStore? store = null;
        await using var scenario = await RefreshScenario.StartAsync(services: s => CountingStore.Wrap(s, created => store = created));
        var id = await scenario.ImportAsync(expiresIn: 1);
        // Another instance recorded an attempt with this refresh token, then the database went down and came back: its
        // lock is gone, and it may be about to store the rotated tokens the provider gave it.
        var row = await store!.GetAsync(id, CancellationToken.None);
        Assert.True(await store.TryMarkRefreshAttemptAsync(id, row!.Version, new RefreshAttempt("elsewhere", DateTimeOffset.UtcNow), CancellationToken.None));
        store.AvailableAgainAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        using var meanwhile = await scenario.Proxy.Client.GetAsync("/acme/meanwhile");
        var callsMeanwhile = scenario.Authorization.Calls;
        // Past the pause, the attempt was interrupted for good (its instance died): the refresh goes ahead. (Requests wait
        // out the cool-down the first answer set, as long as the pause; a person's refresh does not.)
        store.AvailableAgainAt = DateTimeOffset.UtcNow - TokenProxy.Tokens.TokenRefresher.AfterOutage;
        using var after = await scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));

        await Problems.AssertProblemAsync(meanwhile, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
        Assert.InRange(meanwhile.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(20), TokenProxy.Tokens.TokenRefresher.AfterOutage);
        Assert.Equal(0, callsMeanwhile);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(1, scenario.Authorization.Calls);
    }

    /// <summary>
    /// Once the imported one-second token has expired, a request whose refresh has reached the token endpoint, which holds
    /// its answer until <c>Authorization.Hold</c> is released.
    /// </summary>
    private static async Task<Task<HttpResponseMessage>> SendWhileTheTokenEndpointHoldsItsAnswerAsync(RefreshScenario scenario)
    {
        scenario.Authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var first = scenario.Proxy.Client.GetAsync("/acme/first");
        await scenario.Authorization.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return first;
    }

    /// <summary>Asks until the refresh's answer is stored (until then, the outage's 503), for at most 30 s.</summary>
    private static async Task<HttpResponseMessage> GetOnceStoredAsync(RefreshScenario scenario)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await scenario.Proxy.Client.GetAsync("/acme/after");
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(50);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not become true within 30 s");
            await Task.Delay(20);
        }
    }
}
