using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly.Registry;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Refreshes a connection's tokens (docs/architecture.md §5): one refresh per connection at a time in this
/// process (<see cref="RefreshGate{T}"/>) and, for a shared store, across instances
/// (<see cref="IConnectionStore.RunExclusiveAsync{T}"/>); the row is re-read under the lock and the
/// refresh skipped if someone already did it; the new access and refresh tokens are committed together
/// with compare-and-swap before anyone uses them. Rejections put the connection in <c>error</c>;
/// transient failures are retried with backoff and jitter (honouring Retry-After), pass through a
/// circuit breaker per token endpoint, and never change the status.
/// </summary>
internal sealed partial class TokenRefresher
{
    private readonly IConnectionStore _store;
    private readonly SecretSealer _sealer;
    private readonly TokenEndpointClient _client;
    private readonly ProviderCatalog _providers;
    private readonly TimeProvider _time;
    private readonly RefreshOptions _options;
    private readonly TokenInstrumentation _instrumentation;
    private readonly RevocationClient _revocations;
    private readonly RefreshGate<TokenResult<ConnectionRow>> _gate;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RefreshSchedule _schedule;
    private readonly IEventStore _events;
    private readonly ResiliencePipelineRegistry<string> _pipelines = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _endpointSlots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _endpointKeys = new(StringComparer.Ordinal);

    public TokenRefresher(
        IConnectionStore store, SecretSealer sealer, TokenEndpointClient client, ProviderCatalog providers, TimeProvider time,
        IOptions<RefreshOptions> options, RevocationClient revocations, RefreshSchedule schedule, TokenInstrumentation instrumentation, IEventStore events)
    {
        _events = events;
        _schedule = schedule;
        _instrumentation = instrumentation;
        _revocations = revocations;
        _store = store;
        _sealer = sealer;
        _client = client;
        _providers = providers;
        _time = time;
        _options = options.Value;
        _gate = new RefreshGate<TokenResult<ConnectionRow>>(_options.Timeout, _options.RunLimit, time, _stopping.Token);
    }

    /// <summary>
    /// Refreshes unless, once the lock is held, it turns out not to be needed: for <see cref="RefreshReason.Upstream401"/>
    /// when the stored version is no longer <paramref name="seenVersion"/>; for expiring and background refreshes when the
    /// token is no longer due (background: or the row was written since <paramref name="seenVersion"/>). Succeeds with the
    /// connection as it now stands; fails with <see cref="FailureKind.Rejected"/> (the connection is now <c>error</c>),
    /// <see cref="FailureKind.Transient"/> (tokens and status kept), <see cref="FailureKind.NotRefreshable"/>, or
    /// <see cref="FailureKind.Revoked"/> / <see cref="FailureKind.NotConnected"/> (revoked or deleted meanwhile; any new
    /// token was discarded), with the row when there is one.
    /// </summary>
    public Task<TokenResult<ConnectionRow>> RefreshAsync(string connectionId, RefreshReason reason, long? seenVersion, CancellationToken cancellationToken) =>
        RefreshAsync(connectionId, reason, seenVersion, ActorOf(reason), cancellationToken);

    /// <summary>
    /// As above, with the event log's <paramref name="actor"/> named by the caller (a manual refresh from the client portal
    /// is the portal's). Callers waiting on the same single-flight refresh share the first caller's actor.
    /// </summary>
    public async Task<TokenResult<ConnectionRow>> RefreshAsync(string connectionId, RefreshReason reason, long? seenVersion, string actor, CancellationToken cancellationToken)
    {
        try
        {
            return await _gate.RunAsync(connectionId, shared => RefreshExclusiveAsync(connectionId, reason, seenVersion, actor, shared), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Refresh:Timeout passed; the refresh goes on (RefreshGate), and its answer, however late, is kept.
            return TokenFailure.Transient("timeout", "The refresh did not finish in time; it goes on, and the next request uses its result.") with
            {
                RefreshGoesOn = true,
            };
        }
    }

    private async Task<TokenResult<ConnectionRow>> RefreshExclusiveAsync(string connectionId, RefreshReason reason, long? seenVersion, string actor, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.RunExclusiveAsync(connectionId, locked => RefreshLockedAsync(connectionId, reason, seenVersion, actor, locked), cancellationToken);
        }
        catch (TimeoutException)
        {
            // Another instance holds the connection's lock (it is refreshing, slowly): the same as a slow token
            // endpoint for the caller — the old token while it lasts, then 503 with Retry-After.
            return TokenFailure.Transient("lock_timeout", "Another instance is still refreshing this connection.", TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The refresh's own limit ran out while waiting for that lock, or during a store call.
            return TokenFailure.Transient("timeout", "The refresh did not finish in time.");
        }
    }

    private async Task<TokenResult<ConnectionRow>> RefreshLockedAsync(string connectionId, RefreshReason reason, long? seenVersion, string actor, CancellationToken cancellationToken)
    {
        using var activity = TokenInstrumentation.StartRefresh(connectionId, reason);
        var started = _time.GetTimestamp();
        // Null: the row was written between reading it and recording the attempt; decide again from what is stored now.
        RefreshRun? decided = null;
        for (var tries = 0; decided is null && tries < 3; tries++)
        {
            decided = await DecideAndRefreshAsync(connectionId, reason, seenVersion, actor, cancellationToken);
        }

        var run = decided ?? new RefreshRun(TokenFailure.Transient("conflict", "The connection kept changing while a refresh was about to be sent."));
        _instrumentation.Refreshed(activity, connectionId, reason, run, _time.GetElapsedTime(started));
        return run.Result;
    }

    private async Task<RefreshRun?> DecideAndRefreshAsync(string connectionId, RefreshReason reason, long? seenVersion, string actor, CancellationToken cancellationToken)
    {
        // Re-read under the lock: another caller or instance may have refreshed, revoked or deleted meanwhile.
        var row = await _store.GetAsync(connectionId, cancellationToken);
        if (row is null || row.Status == ConnectionStatus.Revoked)
        {
            return new RefreshRun(Gone(row));
        }

        var now = _time.GetUtcNow();
        var stillNeeded = reason switch
        {
            RefreshReason.Upstream401 => seenVersion is null || row.Version == seenVersion,
            RefreshReason.Expiring => _schedule.IsDue(row, now) || (seenVersion is not null && row.Version == seenVersion && row.Status != ConnectionStatus.Active),
            // A row written since the pass chose it (a request refreshed it meanwhile) waits for the next pass: its new
            // token would look due within the interval too when it lives shorter than that, and be thrown away.
            RefreshReason.Background => (seenVersion is null || row.Version == seenVersion)
                && (_schedule.IsDue(row, now + _options.BackgroundInterval) || _schedule.IsIdle(row, now)),
            _ => true,
        };
        if (!stillNeeded && row.Status == ConnectionStatus.Active)
        {
            return new RefreshRun(TokenResult<ConnectionRow>.Success(row));
        }

        if (row.Status == ConnectionStatus.Error && reason != RefreshReason.Manual)
        {
            // No automatic retry after a rejection: only a person (refresh-now or reconnect) tries again.
            return new RefreshRun(TokenResult<ConnectionRow>.Fail(new TokenFailure(FailureKind.Rejected, row.LastError?.Code, row.LastError?.Description), row));
        }

        if (!row.Renewable || !_providers.TryGet(row.Provider, out var configured) || !configured.CanRenew(row.CredentialKind))
        {
            return new RefreshRun(TokenResult<ConnectionRow>.Fail(TokenFailure.Of(FailureKind.NotRefreshable), row));
        }

        // A templated token endpoint (a Zendesk subdomain) is resolved from the connection's own parameters and checked
        // against AllowedHosts before the refresh token goes anywhere. Parameters that no longer resolve (the provider's
        // configuration changed, the row was edited) fail this refresh and leave the connection as it is.
        if (configured.ForConnection(row.Parameters, out var refused) is not { } provider)
        {
            return new RefreshRun(TokenResult<ConnectionRow>.Fail(TokenFailure.Rejected("invalid_destination", $"The token endpoint cannot be resolved: {refused.Describe()}."), row));
        }

        // RFC 6749 §4.4: a client-credentials connection has no refresh token; its renewal is the grant, run again with its scopes.
        var clientCredentials = row.CredentialKind == CredentialKind.ClientCredentials;
        string? refreshToken = null;
        if (!clientCredentials && !_sealer.TryOpen(row.Id, SecretSealer.RefreshTokenField, row.RefreshToken!, out refreshToken))
        {
            if (_sealer.LacksKeyOf(row.RefreshToken!))
            {
                // Sealed with a key another instance holds and this one was not given: this instance's configuration is at
                // fault, not the connection, which stays as it is for the instances that can open it.
                _instrumentation.VaultKeyMissing(row.Provider, row.Id, SecretSealer.KeyIdOf(row.RefreshToken!));
                return new RefreshRun(TokenResult<ConnectionRow>.Fail(TokenFailure.Of(FailureKind.KeyMissing), row));
            }

            return await RecordRejectionAsync(row, reason, actor, TokenFailure.Rejected("undecryptable", "The stored credentials cannot be decrypted."), 0, cancellationToken);
        }

        // docs/architecture.md §5: the attempt is durable before the refresh token leaves. A process that dies before the
        // answer is committed leaves it on the row; a rotating provider then holds a refresh token this row never saw, and
        // the next refresh's invalid_grant is named for what it is. A client-credentials grant rotates nothing.
        var interrupted = row.RefreshAttempt is not null;
        if (interrupted && !clientCredentials && _store.AvailableAgainAt is { } back && now - back < AfterOutage)
        {
            // The store came back moments ago, and the refresh locks did not survive the outage: the instance that recorded
            // this attempt may be about to store its answer (UntilStoredAsync). Sending the refresh token it spent would
            // make a rotating provider revoke the whole grant; the old token serves while it lasts, and the next try comes
            // after this pause. An attempt still there after it was interrupted for good.
            var wait = AfterOutage - (now - back);
            return new RefreshRun(TokenResult<ConnectionRow>.Fail(
                TokenFailure.Transient("refresh_pending", "Another instance's refresh of this connection may still be storing its answer after a store outage.", wait), row));
        }

        RefreshAttempt? attempt = null;
        long? sent = null;
        if (!clientCredentials)
        {
            attempt = new RefreshAttempt(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)), now);
            if (!await _store.TryMarkRefreshAttemptAsync(row.Id, row.Version, attempt, cancellationToken))
            {
                return null;
            }

            sent = _time.GetTimestamp();
        }

        var (result, attempts) = clientCredentials
            ? await CallTokenEndpointAsync(provider, token => _client.RequestClientCredentialsAsync(provider, ScopesFor(provider, row.Scopes), token), cancellationToken)
            : await CallTokenEndpointAsync(provider, token => _client.RefreshAsync(provider, refreshToken!, token), cancellationToken);
        // The answer is in hand: written whatever the time, since a rotating provider has already spent the refresh token
        // that was sent (the store's own timeouts bound the writes).
        var run = await SettleAsync(provider, row, result, interrupted, attempt, reason, actor, attempts, CancellationToken.None);
        return sent is { } since ? run with { Unconfirmed = _time.GetElapsedTime(since) } : run;
    }

    /// <summary>Commits the token endpoint's answer, or records its failure; either write clears the refresh attempt.</summary>
    private async Task<RefreshRun> SettleAsync(
        ProviderDefinition provider, ConnectionRow row, TokenResult<TokenSet> result, bool interrupted, RefreshAttempt? attempt, RefreshReason reason, string actor, int attempts,
        CancellationToken cancellationToken)
    {
        if (result.Succeeded)
        {
            return await CommitAsync(provider, row, result.Value, reason, actor, attempts, cancellationToken);
        }

        var failure = result.Failure;
        if (failure.Kind == FailureKind.Rejected)
        {
            if (interrupted && failure.Error == "invalid_grant")
            {
                // RFC 9700 §4.14.2: a rotating provider treats the refresh token this row holds as used; only a sign-in helps.
                _instrumentation.RefreshInterrupted(row.Id, provider.Name);
                failure = TokenFailure.Rejected(RefreshInterrupted, RefreshInterruptedText, failure.HttpStatus);
            }

            return await RecordRejectionAsync(row, reason, actor, failure, attempts, cancellationToken);
        }

        // A provider outage never disables a connection, nor does a client secret the provider refuses (the provider is
        // misconfigured, not the connection): tokens and status stay; lastError tells what happened. An attempt that went
        // unanswered (a timeout, a broken connection) may still have been processed: its record stays.
        var now = _time.GetUtcNow();
        var unanswered = failure.HttpStatus is null && attempts > 0;
        await _store.TryUpdateAsync(
            row with { LastError = new ConnectionError(failure.Error!, failure.Description, now), UpdatedAt = now, RefreshAttempt = unanswered ? attempt : null },
            cancellationToken);
        return new RefreshRun(TokenResult<ConnectionRow>.Fail(failure, row), attempts);
    }

    /// <summary>
    /// After the store comes back from an outage, how long a refresh attempt another instance recorded is taken as still
    /// under way: twice the longest pause between the tries of <see cref="UntilStoredAsync"/>, so its next try lands within.
    /// </summary>
    internal static readonly TimeSpan AfterOutage = TimeSpan.FromSeconds(30);

    /// <summary>The error code of a connection whose refresh token a rotating provider replaced during an interrupted refresh.</summary>
    public const string RefreshInterrupted = "refresh_interrupted";

    public const string RefreshInterruptedText = "A refresh was interrupted; the provider rotated the refresh token. Reconnect to continue.";

    private async Task<RefreshRun> CommitAsync(ProviderDefinition provider, ConnectionRow row, TokenSet tokens, RefreshReason reason, string actor, int attempts, CancellationToken cancellationToken)
    {
        // A refresh answer's instance_url replaces the stored one only when it passes the same checks as at connect; one
        // outside the allowed hosts leaves the connection where it was (the tokens themselves are still good).
        var (parameters, refused) = ResponseParameters.Apply(provider, row, tokens);
        if (refused is not null)
        {
            _instrumentation.ResponseParametersRefused(provider.Name, row.Id, refused);
        }

        // The connection keeps its kind: a renewed client-credentials connection is still one.
        var updated = tokens.ApplyTo(row with { Parameters = parameters }, _sealer, _time.GetUtcNow(), reason.ToWire(), provider) with { CredentialKind = row.CredentialKind };

        // CAS: if a revoke or another refresh wrote meanwhile, our result must not overwrite it (nor its events be told).
        var committed = await UntilStoredAsync(
            row.Id, () => _store.TryUpdateAsync(updated, ConnectionEvents.Refreshed(row, actor, reason == RefreshReason.Manual), cancellationToken));
        if (committed is null)
        {
            var current = await UntilStoredAsync(row.Id, () => _store.GetAsync(row.Id, cancellationToken));
            // A few tries: each lost compare-and-swap means another write came meanwhile, and a write that left the tokens
            // alone may come again (an acceptance, an edit); past that, the answer is discarded as a lost race.
            for (var tries = 0; tries < 3 && current is not null && StillHolds(current, row); tries++)
            {
                // Nobody refreshed or revoked since this refresh read the row: a write that left its tokens alone (another
                // instance recording that the API accepted the token, a person editing the connection), or someone who sent
                // the refresh token this refresh had already spent and took the refusal for an interrupted refresh. This
                // answer holds the grant's live tokens (a rotating provider has spent the old refresh token): it goes onto
                // the row as it is now.
                var recovered = tokens.ApplyTo(current with { Parameters = parameters }, _sealer, _time.GetUtcNow(), reason.ToWire(), provider) with
                {
                    CredentialKind = row.CredentialKind,
                };
                var written = current;
                if (await UntilStoredAsync(row.Id, () => _store.TryUpdateAsync(recovered, ConnectionEvents.Refreshed(written, actor, reason == RefreshReason.Manual), cancellationToken))
                    is { } late)
                {
                    if (written.Status == ConnectionStatus.Error)
                    {
                        _instrumentation.RefreshCommittedLate(row.Id);
                    }

                    return new RefreshRun(TokenResult<ConnectionRow>.Success(late), attempts, Committed: true);
                }

                current = await UntilStoredAsync(row.Id, () => _store.GetAsync(row.Id, cancellationToken));
            }

            _instrumentation.RefreshDiscarded(row.Id);
            if (current is null || current.Status == ConnectionStatus.Revoked)
            {
                // The connection was revoked or removed while the provider minted these: they must not stay alive there.
                await _revocations.RevokeAsync(provider, tokens.RefreshToken, tokens.AccessToken, cancellationToken, parameters);

                return new RefreshRun(Gone(current), attempts);
            }

            return new RefreshRun(TokenResult<ConnectionRow>.Success(current), attempts);
        }

        return new RefreshRun(TokenResult<ConnectionRow>.Success(committed), attempts, Committed: true);
    }

    /// <summary>
    /// Whether <paramref name="current"/> still holds the tokens the refresh read from <paramref name="read"/>: active with
    /// the same access and refresh token, or put in error as an interrupted refresh with the same refresh token.
    /// </summary>
    private static bool StillHolds(ConnectionRow current, ConnectionRow read) =>
        current.RefreshToken == read.RefreshToken
        && ((current.Status == ConnectionStatus.Active && current.AccessToken == read.AccessToken)
            || current is { Status: ConnectionStatus.Error, LastError.Code: RefreshInterrupted });

    /// <summary>
    /// A store call on the way to committing a refresh's answer, retried while the store is unavailable (a database
    /// restarting, a network partition): the provider may have rotated the refresh token already, so this answer holds the
    /// connection's only live tokens, and a store outage must delay the write, never drop it. The refresh stays in flight
    /// meanwhile: requests for the connection join it, so none sends the spent refresh token again, and they get the
    /// outage's answer at once (the old token while it lasts, else 503 <c>store_unavailable</c>), as requests that need the
    /// store get, rather than wait out <c>Refresh:Timeout</c> for an answer nobody may use before it is stored. The next
    /// try comes after a pause or as soon as the store is seen back, whichever is first. Only stopping the process gives up,
    /// as a crash would (docs/architecture.md §5).
    /// </summary>
    private async Task<T> UntilStoredAsync<T>(string connectionId, Func<Task<T>> write)
    {
        var wait = TimeSpan.FromSeconds(1);
        var longest = AfterOutage / 2;
        while (true)
        {
            try
            {
                return await write();
            }
            catch (StoreUnavailableException e) when (!_stopping.IsCancellationRequested)
            {
                _gate.Answer(connectionId, e);
                _instrumentation.CommitWaitsForStore(connectionId, wait);
                using var pause = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var delay = Task.Delay(wait, _time, pause.Token);
                // A store that already counts itself available (another operation succeeded since) gets the pause anyway.
                var back = _store.WhenAvailable;
                await (back.IsCompleted ? delay : Task.WhenAny(delay, back));
                await pause.CancelAsync();
                _stopping.Token.ThrowIfCancellationRequested();
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, longest.Ticks));
            }
        }
    }

    private async Task<RefreshRun> RecordRejectionAsync(ConnectionRow row, RefreshReason reason, string actor, TokenFailure failure, int attempts, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var failed = row with { Status = ConnectionStatus.Error, LastError = new ConnectionError(failure.Error!, failure.Description, now), UpdatedAt = now, RefreshAttempt = null };
        var events = ConnectionEvents.Error(row, actor, failure.Error, failure.Description);
        var committed = await _store.TryUpdateAsync(failed, events, cancellationToken) ?? await _store.GetAsync(row.Id, cancellationToken);
        return new RefreshRun(TokenResult<ConnectionRow>.Fail(failure, committed), attempts);
    }

    /// <summary>
    /// The first token of a new client-credentials connection (RFC 6749 §4.4), through the same concurrency cap, retries
    /// and circuit breaker as every renewal: the connection exists only once this succeeded.
    /// </summary>
    public async Task<TokenResult<TokenSet>> RequestClientCredentialsAsync(ProviderDefinition provider, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        // Someone waits for the new connection: as long as for a refresh. The grant rotates nothing, so nothing is lost.
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, _stopping.Token);
        var (result, _) = await CallTokenEndpointAsync(provider, token => _client.RequestClientCredentialsAsync(provider, ScopesFor(provider, scopes), token), bounded.Token);
        return result;
    }

    /// <summary>The connection's own scopes, or the provider's when it has none.</summary>
    private static IReadOnlyList<string> ScopesFor(ProviderDefinition provider, IReadOnlyList<string> scopes) => scopes.Count > 0 ? scopes : provider.Scopes;

    /// <summary>Who caused a refresh, as the event log names it: a person, the background refresher, or an app's request.</summary>
    public static string ActorOf(RefreshReason reason) => reason switch
    {
        RefreshReason.Manual => EventTypes.ActorAdmin,
        RefreshReason.Background => EventTypes.ActorBackground,
        _ => EventTypes.ActorApp,
    };

    /// <summary>The connection was revoked (the row says so) or deleted (no row) before or while refreshing.</summary>
    private static TokenResult<ConnectionRow> Gone(ConnectionRow? row) =>
        TokenResult<ConnectionRow>.Fail(TokenFailure.Of(row is null ? FailureKind.NotConnected : FailureKind.Revoked), row);
}
