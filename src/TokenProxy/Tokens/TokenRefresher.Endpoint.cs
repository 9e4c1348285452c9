using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;

namespace TokenProxy.Tokens;

/// <summary>The call to the token endpoint: a concurrency cap per endpoint, retries with backoff, a circuit breaker.</summary>
internal sealed partial class TokenRefresher : IDisposable
{
    /// <summary>How long a stop waits for the refreshes under way, before and after cancelling them.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Disposes the token endpoints' pipelines (their circuit breakers) with the refresher. A refresh still under way (a
    /// token endpoint that answers late) gets a moment to finish, then is abandoned, as a stop mid-refresh is (its attempt
    /// stays on the row, docs/architecture.md §5). Its end is waited for: a pipeline's disposal waits for its executions,
    /// on the refresher's clock.
    /// </summary>
    public void Dispose()
    {
        if (!_gate.Idle.Wait(StopGrace))
        {
            _stopping.Cancel();
            _gate.Idle.Wait(StopGrace);
        }

        _pipelines.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// At most this many token endpoints get a cap and circuit of their own; past it, a provider's further endpoints share
    /// one. Templated token URLs (a Zendesk subdomain) make one endpoint per tenant, and the registry never forgets a key.
    /// </summary>
    internal const int MaxEndpointKeys = 1024;

    /// <param name="provider">Resolved for the connection: its token endpoint's cap, retries and circuit are shared by every grant sent there.</param>
    /// <param name="call">One attempt: a refresh (RFC 6749 §6) or a client credentials grant (§4.4).</param>
    /// <param name="cancellationToken">The refresh's own timeout.</param>
    private async Task<(TokenResult<TokenSet> Result, int Attempts)> CallTokenEndpointAsync(
        ProviderDefinition provider, Func<CancellationToken, Task<TokenResult<TokenSet>>> call, CancellationToken cancellationToken)
    {
        var endpoint = EndpointKey(provider);
        var slot = _endpointSlots.GetOrAdd(endpoint, _ => new SemaphoreSlim(_options.MaxConcurrentPerEndpoint));
        var pipeline = _pipelines.GetOrAddPipeline<TokenResult<TokenSet>>(endpoint, (builder, _) => ConfigurePipeline(builder, provider.Name, endpoint));
        var attempts = 0;
        await slot.WaitAsync(cancellationToken);
        try
        {
            var result = await pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await call(token);
                },
                cancellationToken);
            return (result, attempts);
        }
        catch (BrokenCircuitException e)
        {
            return (TokenFailure.Transient("circuit_open", $"{provider.Name}'s token endpoint {endpoint} failed repeatedly; calls to it are paused.", e.RetryAfter), attempts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (TokenFailure.Transient("timeout", "The refresh did not finish in time."), attempts);
        }
        finally
        {
            slot.Release();
        }
    }

    /// <summary>
    /// The resolved token endpoint's origin and path: one tenant's outage pauses that tenant only. A provider with only an
    /// <c>Issuer</c> has one discovered endpoint for all its connections. Past <see cref="MaxEndpointKeys"/> endpoints, a
    /// new one shares its provider's key: bounded memory over isolation.
    /// </summary>
    private string EndpointKey(ProviderDefinition provider)
    {
        var key = provider.TokenUrl is { } url ? url.GetLeftPart(UriPartial.Path) : $"{provider.Name} {provider.Issuer}";
        return _endpointKeys.ContainsKey(key) || (_endpointKeys.Count < MaxEndpointKeys && _endpointKeys.TryAdd(key, 0)) || _endpointKeys.ContainsKey(key)
            ? key
            : provider.Name;
    }

    /// <summary>
    /// One pipeline per token endpoint, kept by the registry. Polly.Core rather than an HTTP resilience handler:
    /// whether to retry is decided from the parsed answer (an OAuth error in a 200, a 400 <c>invalid_grant</c>
    /// that must never be retried), not from the status code alone.
    /// </summary>
    private void ConfigurePipeline(ResiliencePipelineBuilder<TokenResult<TokenSet>> builder, string provider, string endpoint)
    {
        static bool IsTransient(Outcome<TokenResult<TokenSet>> outcome) => outcome.Result.Failure is { Kind: FailureKind.Transient };

        // Sent again only when the provider surely did not act on it: it answered (5xx, 429, 408) or was never reached. A
        // request that went unanswered may have rotated the refresh token; sending that token again would be reuse, which
        // revokes the whole grant at a provider that detects it (RFC 9700 §4.14.2).
        static bool IsRetryable(Outcome<TokenResult<TokenSet>> outcome) =>
            IsTransient(outcome) && !TokenEndpointClient.MayHaveBeenProcessed(outcome.Result.Failure!);
        var maxWait = TimeSpan.FromSeconds(5);
        builder.TimeProvider = _time;
        builder
            .AddRetry(new RetryStrategyOptions<TokenResult<TokenSet>>
            {
                // A Retry-After longer than we can hold a request is not waited for: the app gets 503 + Retry-After.
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome) && (args.Outcome.Result.Failure!.RetryAfter ?? TimeSpan.Zero) <= maxWait),
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result.Failure?.RetryAfter),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<TokenResult<TokenSet>>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                FailureRatio = 0.5,
                MinimumThroughput = 6,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
                // Once per transition, not per refused call: the circuit is what says the endpoint is down or back.
                OnOpened = _ => ProviderTransitionAsync(EventTypes.ProviderUnavailable, provider, endpoint),
                OnClosed = _ => ProviderTransitionAsync(EventTypes.ProviderAvailable, provider, endpoint),
            });
    }

    /// <summary>
    /// A token endpoint's circuit opened or closed: one event, on its own (no row changes with it). Best effort: a store
    /// that cannot be written must not fail the refresh that tripped the circuit; the log says what was not recorded.
    /// </summary>
    private async ValueTask ProviderTransitionAsync(string type, string provider, string endpoint)
    {
        try
        {
            var data = new System.Text.Json.Nodes.JsonObject { ["endpoint"] = endpoint };
            await _events.AppendAsync([new NewEvent(type, EventTypes.ActorBackground, Provider: provider, Data: data)], CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _instrumentation.EventNotRecorded(type, e);
        }
    }
}
