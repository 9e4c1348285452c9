using TokenProxy.Events;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Gives the proxy the token for a request. The hot path is one dictionary lookup and a clock read: no
/// store read, no decryption. A miss reads the row once, opens the access token and caches the ready
/// header value for that row version. A token due for refresh waits for the (shared) refresh; one that
/// cannot be refreshed right now is still used while it is valid, and never once it has expired.
/// </summary>
internal sealed partial class TokenService(
    IConnectionStore store,
    SecretSealer sealer,
    CredentialCache cache,
    TokenRefresher refresher,
    RefreshSchedule schedule,
    TimeProvider time,
    IOptions<RefreshOptions> options,
    TokenInstrumentation instrumentation)
{
    // How long requests leave a failing token endpoint alone when it did not say (no Retry-After).
    private static readonly TimeSpan DefaultCoolDown = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _unauthorizedBackoff = options.Value.UnauthorizedBackoff;

    // Requests that miss the cache for one connection at once (a cold start under load, a burst as a token expires)
    // share one read of it, and those refused one token with 401 share one recovery: a thousand of them must not take a
    // thousand database connections (two instances with Npgsql's default pools would exceed PostgreSQL's default 100,
    // and every request would get 503 store_unavailable). The store's own timeouts bound each shared run.
    private readonly RefreshGate<CachedCredential?> _loads = new(Timeout.InfiniteTimeSpan, SharedRunLimit, time, CancellationToken.None);
    private readonly RefreshGate<TokenResult<CachedCredential>?> _recoveries = new(Timeout.InfiniteTimeSpan, SharedRunLimit, time, CancellationToken.None);

    private static readonly TimeSpan SharedRunLimit = TimeSpan.FromMinutes(5);

    // After a transient refresh failure, requests do not retry the refresh until this passes (no hammering a failing endpoint).
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, FailureKind Kind, string Provider)> _coolDownUntil = new(StringComparer.Ordinal);

    /// <summary>
    /// Providers changed (a configuration reload or the admin API): the change may be the fixed client secret, so a
    /// misconfigured answer remembered for one of their connections no longer holds its requests back; the next one asks again.
    /// </summary>
    public void ForgetMisconfigured(IReadOnlySet<string> changedProviders)
    {
        foreach (var entry in _coolDownUntil)
        {
            if (entry.Value.Kind == FailureKind.Misconfigured && changedProviders.Contains(entry.Value.Provider))
            {
                _coolDownUntil.TryRemove(entry);
            }
        }
    }

    /// <summary>
    /// The token for <paramref name="selector"/> (a label or id) among the connections of <paramref name="scope"/> (a
    /// workspace and end user, or none): a connection of another scope is never found, so nothing (a refresh) happens to it.
    /// </summary>
    public ValueTask<TokenResult<CachedCredential>> GetAccessTokenAsync(ProviderDefinition provider, string selector, ConnectionScope scope, CancellationToken cancellationToken)
    {
        // Created only when someone listens: free on the hot path otherwise.
        var activity = TokenInstrumentation.StartLookup(provider.Name);
        if (cache.TryGet(provider.Name, scope, selector, out var credential))
        {
            instrumentation.CacheLookup(hit: true);
            var lookup = Evaluate(credential);
            if (!lookup.Succeeded || !(credential.RefreshAt <= time.GetUtcNow()))
            {
                TokenInstrumentation.LookupDone(activity, lookup, cacheHit: true);
                return ValueTask.FromResult(lookup);
            }
        }
        else
        {
            instrumentation.CacheLookup(hit: false);
        }

        return LoadAndRefreshTracedAsync(provider, selector, scope, credential, activity, cancellationToken);
    }

    private async ValueTask<TokenResult<CachedCredential>> LoadAndRefreshTracedAsync(
        ProviderDefinition provider, string selector, ConnectionScope scope, CachedCredential? credential, Activity? activity, CancellationToken cancellationToken)
    {
        var lookup = await LoadAndRefreshAsync(provider, selector, scope, credential, cancellationToken);
        TokenInstrumentation.LookupDone(activity, lookup, cacheHit: credential is not null);
        return lookup;
    }

    private async ValueTask<TokenResult<CachedCredential>> LoadAndRefreshAsync(
        ProviderDefinition provider, string selector, ConnectionScope scope, CachedCredential? credential, CancellationToken cancellationToken)
    {
        credential ??= await _loads.RunAsync(
            $"{provider.Name}\n{scope.Workspace}\n{scope.EndUser}\n{selector}", shared => LoadAsync(provider, selector, scope, shared), cancellationToken);
        if (credential is null)
        {
            return TokenFailure.Of(FailureKind.NotConnected);
        }

        var lookup = Evaluate(credential);
        var now = time.GetUtcNow();
        if (!lookup.Succeeded || !(credential.RefreshAt <= now))
        {
            return lookup;
        }

        var expired = credential.ExpiresAt <= now;
        if (!credential.CanRefresh)
        {
            // Never forward a token known to be dead; one still inside its skew margin is fine.
            return expired ? Fail(FailureKind.Rejected, credential) : lookup;
        }

        if (_coolDownUntil.TryGetValue(credential.ConnectionId, out var cool) && cool.Until > now)
        {
            return expired ? TokenResult<CachedCredential>.Fail(CoolingDown(cool, now), credential) : lookup;
        }

        // A token that still works is not held back for its refresh (a token endpoint or a store that hangs): the request
        // waits for the refresh until a second before the token expires at most, then goes with it; the refresh goes on.
        var lasts = credential.ExpiresAt - now - TimeSpan.FromSeconds(1);
        using var lasting = !expired && lasts > TimeSpan.Zero ? new CancellationTokenSource(lasts.Value, time) : null;
        using var bounded = lasting is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lasting.Token);
        TokenResult<ConnectionRow> refreshed;
        try
        {
            refreshed = await refresher.RefreshAsync(credential.ConnectionId, RefreshReason.Expiring, credential.Version, bounded?.Token ?? cancellationToken);
        }
        catch (StoreUnavailableException) when (!expired)
        {
            // No refresh without the store, but the token still works until it expires; after that, 503 store_unavailable.
            return lookup;
        }
        catch (OperationCanceledException) when (lasting is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            return lookup;
        }

        return AfterRefresh(provider, refreshed, credential, tokenKnownDead: false);
    }

    /// <summary>
    /// The credential to answer with after a refresh: the new one; on a transient failure the old one while it lasts
    /// (and no new try until the cool-down passes); on a rejection the connection in <c>error</c>.
    /// </summary>
    private TokenResult<CachedCredential> AfterRefresh(ProviderDefinition provider, TokenResult<ConnectionRow> refreshed, CachedCredential before, bool tokenKnownDead)
    {
        if (refreshed.Succeeded)
        {
            _coolDownUntil.TryRemove(before.ConnectionId, out _);
            return Evaluate(ToCredential(provider, refreshed.Value));
        }

        var now = time.GetUtcNow();
        var failure = refreshed.Failure;
        switch (failure.Kind)
        {
            case FailureKind.Transient or FailureKind.Misconfigured:
                // A misconfigured provider is the operator's to fix, not the connection's: like an outage, the old token
                // while it lasts, then 503.
                var wait = failure.RetryAfter ?? DefaultCoolDown;
                // A refresh still under way has not failed: the next request joins it (RefreshGate) and gets its answer.
                if (!failure.RefreshGoesOn)
                {
                    _coolDownUntil[before.ConnectionId] = (now + wait, failure.Kind, before.Provider);
                }

                // The old token still works until it expires; after that the app must wait.
                return !tokenKnownDead && before.ExpiresAt > now ? Evaluate(before) : TokenResult<CachedCredential>.Fail(failure with { RetryAfter = wait }, before);
            case FailureKind.KeyMissing:
                // This instance cannot open the refresh token; the access token, if it can, still works until it expires.
                return !tokenKnownDead && before.ExpiresAt > now && !before.KeyMissing ? Evaluate(before) : TokenResult<CachedCredential>.Fail(failure, before);
            case FailureKind.Rejected:
                return TokenResult<CachedCredential>.Fail(failure, refreshed.Value is { } row ? ToCredential(provider, row) : before);
            case FailureKind.NotRefreshable:
                return before.ExpiresAt is { } at && at <= now ? Fail(FailureKind.Rejected, before) : Evaluate(before);
            default:
                // Revoked or deleted meanwhile.
                return refreshed.Value is { } gone ? Evaluate(ToCredential(provider, gone)) : TokenFailure.Of(FailureKind.NotConnected);
        }
    }

    /// <summary>A transient failure (or a misconfigured provider) seen moments ago: no new try until <c>cool.Until</c>, the same answer.</summary>
    private static TokenFailure CoolingDown((DateTimeOffset Until, FailureKind Kind, string Provider) cool, DateTimeOffset now) => cool.Kind == FailureKind.Misconfigured
        ? new TokenFailure(FailureKind.Misconfigured, "invalid_client", "The provider refused every configured client secret moments ago; it is not asked again yet.", cool.Until - now)
        : TokenFailure.Transient("cooling_down", "A refresh failed moments ago; the token endpoint is not asked again yet.", cool.Until - now);

    /// <summary>Reads the connection from the store and caches it; null when there is no such connection.</summary>
    private async Task<CachedCredential?> LoadAsync(ProviderDefinition provider, string selector, ConnectionScope scope, CancellationToken cancellationToken)
    {
        var epoch = cache.Epoch;
        var row = await store.FindAsync(provider.Name, scope, selector, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var credential = ToCredential(provider, row);
        if (!credential.KindOffered)
        {
            instrumentation.KindNotOffered(provider.Name, row.Id, row.CredentialKind);
        }

        if (credential.KeyMissing)
        {
            instrumentation.VaultKeyMissing(provider.Name, row.Id, SecretSealer.KeyIdOf(row.AccessToken!));
        }
        else if (credential.Undecryptable && row.Status != ConnectionStatus.Error)
        {
            // A flipped bit, a truncated or moved ciphertext: fail closed and say so where people look.
            var now = time.GetUtcNow();
            const string Undecryptable = "The stored credentials cannot be decrypted.";
            var marked = await store.TryUpdateAsync(
                row with { Status = ConnectionStatus.Error, LastError = new ConnectionError("undecryptable", Undecryptable, now), UpdatedAt = now },
                ConnectionEvents.Error(row, EventTypes.ActorApp, "undecryptable", Undecryptable),
                cancellationToken);
            return marked is null ? credential : ToCredential(provider, marked);
        }

        cache.Add(scope, selector, credential, epoch);
        return credential;
    }

    private CachedCredential ToCredential(ProviderDefinition provider, ConnectionRow row)
    {
        string? header = null;
        var placement = CredentialPlacement.Of(provider, row.CredentialKind);
        var undecryptable = false;
        var keyMissing = false;
        if (row.AccessToken is { } sealedToken)
        {
            if (sealer.TryOpen(row.Id, SecretSealer.AccessFieldOf(row.CredentialKind), sealedToken, out var secret))
            {
                // Null when the provider no longer offers this kind: the connection serves nothing (kind_not_offered).
                header = placement?.Value(secret);
            }
            else if (sealer.LacksKeyOf(sealedToken))
            {
                keyMissing = true;
            }
            else
            {
                undecryptable = true;
            }
        }

        var apiBase = provider.ResolveApiBase(row.Parameters);
        // A header whose placeholder does not resolve leaves the request as unsendable as an address that does not.
        var headers = provider.ResolveHeaders(row.Parameters, out var headerProblem);
        return new CachedCredential(
            row.Id, row.Provider, row.Label, row.Workspace, row.Version, row.Status, header, row.ExpiresAt,
            CanRefresh: row.Renewable, Undecryptable: undecryptable)
        {
            KeyMissing = keyMissing,
            Kind = row.CredentialKind,
            KindOffered = placement is not null,
            EndUser = row.EndUser?.Id,
            HeaderName = placement?.Header ?? provider.TokenHeader.Name,
            QueryName = placement?.Query,
            RefreshAt = schedule.DueAt(row),
            SealedToken = row.AccessToken,
            AwaitingAcceptance = row.LastRefreshReason == RefreshReason.Upstream401.ToWire(),
            ApiBase = headers is null ? null : apiBase.Url,
            ApiBaseProblem = apiBase.Succeeded ? headerProblem : apiBase.Describe(),
            Headers = headers ?? [],
        };
    }

    private static TokenResult<CachedCredential> Evaluate(CachedCredential credential) => credential switch
    {
        { Status: ConnectionStatus.Revoked } => Fail(FailureKind.Revoked, credential),
        { KeyMissing: true } => Fail(FailureKind.KeyMissing, credential),
        { Status: ConnectionStatus.Error } or { Undecryptable: true } => Fail(FailureKind.Rejected, credential),
        { KindOffered: false } => Fail(FailureKind.KindNotOffered, credential),
        // A connection being (re)authorized keeps serving with the token it already holds, if any.
        { HeaderValue: null } => Fail(FailureKind.NotConnected, credential),
        _ => TokenResult<CachedCredential>.Success(credential),
    };

    private static TokenResult<CachedCredential> Fail(FailureKind kind, CachedCredential credential) =>
        TokenResult<CachedCredential>.Fail(TokenFailure.Of(kind), credential);
}
