using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
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
    ILogger<TokenService> logger)
{
    private readonly TimeSpan _unauthorizedBackoff = options.Value.UnauthorizedBackoff;

    // After a transient refresh failure, requests do not retry the refresh until this passes (no hammering a failing endpoint).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _coolDownUntil = new(StringComparer.Ordinal);

    private static readonly KeyValuePair<string, object?> Hit = new(Telemetry.Telemetry.Attributes.CacheHit, true);
    private static readonly KeyValuePair<string, object?> Miss = new(Telemetry.Telemetry.Attributes.CacheHit, false);

    /// <summary>
    /// The token for <paramref name="selector"/> (a label or id). When the client's key is limited to a
    /// <paramref name="workspace"/>, a connection of another workspace is refused before anything (a refresh) happens to it.
    /// </summary>
    public ValueTask<TokenLookup> GetAccessTokenAsync(ProviderDefinition provider, string selector, string? workspace, CancellationToken cancellationToken)
    {
        // Created only when someone listens: free on the hot path otherwise.
        var activity = Telemetry.Telemetry.Source.StartActivity("tokenproxy.token");
        activity?.SetTag(Telemetry.Telemetry.Attributes.Provider, provider.Name);
        if (cache.TryGet(provider.Name, selector, out var credential))
        {
            Telemetry.Telemetry.CacheLookups.Add(1, Hit);
            var lookup = Evaluate(credential, workspace);
            if (!lookup.Succeeded || !(credential.RefreshAt <= time.GetUtcNow()))
            {
                Complete(activity, lookup, cacheHit: true);
                return ValueTask.FromResult(lookup);
            }
        }
        else
        {
            Telemetry.Telemetry.CacheLookups.Add(1, Miss);
        }

        return LoadAndRefreshTracedAsync(provider, selector, workspace, credential, activity, cancellationToken);
    }

    private async ValueTask<TokenLookup> LoadAndRefreshTracedAsync(
        ProviderDefinition provider, string selector, string? workspace, CachedCredential? credential, Activity? activity, CancellationToken cancellationToken)
    {
        var lookup = await LoadAndRefreshAsync(provider, selector, workspace, credential, cancellationToken);
        Complete(activity, lookup, cacheHit: credential is not null);
        return lookup;
    }

    private static void Complete(Activity? activity, TokenLookup lookup, bool cacheHit)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(Telemetry.Telemetry.Attributes.CacheHit, cacheHit);
        if (lookup.Credential is { } found)
        {
            activity.SetTag(Telemetry.Telemetry.Attributes.ConnectionId, found.ConnectionId);
            activity.SetTag(Telemetry.Telemetry.Attributes.ConnectionStatus, found.Status.ToWire());
        }

        if (!lookup.Succeeded)
        {
            activity.SetTag(Telemetry.Telemetry.Attributes.Failure, lookup.Failure.ToWire());
            activity.SetStatus(ActivityStatusCode.Error, lookup.Failure.ToWire());
        }

        activity.Dispose();
    }

    private async ValueTask<TokenLookup> LoadAndRefreshAsync(
        ProviderDefinition provider, string selector, string? workspace, CachedCredential? credential, CancellationToken cancellationToken)
    {
        credential ??= await LoadAsync(provider, selector, cancellationToken);
        if (credential is null)
        {
            return TokenLookup.Fail(TokenFailure.NotConnected);
        }

        var lookup = Evaluate(credential, workspace);
        var now = time.GetUtcNow();
        if (!lookup.Succeeded || !(credential.RefreshAt <= now))
        {
            return lookup;
        }

        var expired = credential.ExpiresAt <= now;
        if (!credential.CanRefresh)
        {
            // Never forward a token known to be dead; one still inside its skew margin is fine.
            return expired ? TokenLookup.Fail(TokenFailure.ReconnectRequired, credential) : lookup;
        }

        if (_coolDownUntil.TryGetValue(credential.ConnectionId, out var until) && until > now)
        {
            return expired ? TokenLookup.Fail(TokenFailure.RefreshUnavailable, credential, until - now) : lookup;
        }

        RefreshOutcome outcome;
        try
        {
            outcome = await refresher.RefreshAsync(credential.ConnectionId, RefreshReason.Expiring, credential.Version, cancellationToken);
        }
        catch (StoreUnavailableException) when (!expired)
        {
            // No refresh without the store, but the token still works until it expires; after that, 503 store_unavailable.
            return lookup;
        }

        return FromOutcome(provider, outcome, credential, tokenKnownDead: false);
    }

    private TokenLookup FromOutcome(ProviderDefinition provider, RefreshOutcome outcome, CachedCredential before, bool tokenKnownDead)
    {
        var now = time.GetUtcNow();
        switch (outcome.Status)
        {
            case RefreshStatus.Refreshed or RefreshStatus.AlreadyFresh:
                _coolDownUntil.TryRemove(before.ConnectionId, out _);
                return Evaluate(ToCredential(provider, outcome.Row!));
            case RefreshStatus.Transient:
                var wait = outcome.RetryAfter ?? TimeSpan.FromSeconds(5);
                _coolDownUntil[before.ConnectionId] = now + wait;
                // The old token still works until it expires; after that the app must wait.
                return !tokenKnownDead && before.ExpiresAt > now ? Evaluate(before) : TokenLookup.Fail(TokenFailure.RefreshUnavailable, before, wait);
            case RefreshStatus.Rejected:
                return TokenLookup.Fail(TokenFailure.ReconnectRequired, outcome.Row is { } row ? ToCredential(provider, row) : before);
            case RefreshStatus.NotRefreshable:
                return before.ExpiresAt is { } at && at <= now ? TokenLookup.Fail(TokenFailure.ReconnectRequired, before) : Evaluate(before);
            default:
                return outcome.Row is { } gone ? Evaluate(ToCredential(provider, gone)) : TokenLookup.Fail(TokenFailure.NotConnected);
        }
    }

    /// <summary>Reads the connection from the store and caches it; null when there is no such connection.</summary>
    private async Task<CachedCredential?> LoadAsync(ProviderDefinition provider, string selector, CancellationToken cancellationToken)
    {
        var epoch = cache.Epoch;
        var row = await store.FindAsync(provider.Name, selector, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var credential = ToCredential(provider, row);
        if (credential.Undecryptable && row.Status != ConnectionStatus.Error)
        {
            // A flipped bit, a truncated or moved ciphertext: fail closed and say so where people look.
            var now = time.GetUtcNow();
            var marked = await store.TryUpdateAsync(
                row with { Status = ConnectionStatus.Error, LastError = new ConnectionError("undecryptable", "The stored credentials cannot be decrypted.", now), UpdatedAt = now },
                cancellationToken);
            return marked is null ? credential : ToCredential(provider, marked);
        }

        cache.Add(selector, credential, epoch);
        return credential;
    }

    private CachedCredential ToCredential(ProviderDefinition provider, ConnectionRow row)
    {
        string? header = null;
        var undecryptable = false;
        if (row.AccessToken is { } sealedToken)
        {
            if (sealer.TryOpen(row.Id, SecretSealer.AccessTokenField, sealedToken, out var token))
            {
                header = provider.TokenHeader.Format(token);
            }
            else
            {
                undecryptable = true;
            }
        }

        return new CachedCredential(
            row.Id, row.Provider, row.Label, row.Workspace, row.Version, row.Status, header, row.ExpiresAt,
            CanRefresh: row.RefreshToken is not null, Undecryptable: undecryptable)
        {
            RefreshAt = schedule.DueAt(row),
            SealedToken = row.AccessToken,
            AwaitingAcceptance = row.LastRefreshReason == RefreshReason.Upstream401.ToWire(),
        };
    }

    private static TokenLookup Evaluate(CachedCredential credential, string? workspace) =>
        workspace is not null && credential.Workspace != workspace ? TokenLookup.Fail(TokenFailure.WorkspaceForbidden, credential) : Evaluate(credential);

    private static TokenLookup Evaluate(CachedCredential credential) => credential switch
    {
        { Status: ConnectionStatus.Revoked } => TokenLookup.Fail(TokenFailure.Revoked, credential),
        { Status: ConnectionStatus.Error } or { Undecryptable: true } => TokenLookup.Fail(TokenFailure.ReconnectRequired, credential),
        // A connection being (re)authorized keeps serving with the token it already holds, if any.
        { HeaderValue: null } => TokenLookup.Fail(TokenFailure.NotConnected, credential),
        _ => TokenLookup.Success(credential),
    };
}
