using System.Collections.Concurrent;
using System.Data.Common;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>Upstream 401s: refresh once, guard against a loop, and notice when the API accepts a token again.</summary>
internal sealed partial class TokenService
{
    /// <summary>
    /// <see cref="ConnectionRow.LastRefreshReason"/> once the API has accepted a token a 401-driven refresh produced: from
    /// then on, a 401 to it is news (access revoked at the provider) and refreshes, instead of being held back as a loop.
    /// </summary>
    public const string AcceptedAfterUpstream401 = "upstream_401_accepted";

    /// <summary>How near its expiry a token's 401 is taken for the expiry itself, whatever refreshed it.</summary>
    private static readonly TimeSpan ExpiryLeeway = TimeSpan.FromSeconds(1);

    // Connection id → the row version whose acceptance is being (or was) written here: one write per token, not per request.
    private readonly ConcurrentDictionary<string, long> _acceptanceClaims = new(StringComparer.Ordinal);

    /// <summary>
    /// After the API answered 401 to <paramref name="rejected"/>: refresh once if that token is still the stored one (unless
    /// a 401-driven refresh produced it and the API never accepted it, within the backoff window), or pick up the token
    /// another refresh already stored. Returns the credential to replay with, or why there is none; null when the 401
    /// should simply go back to the app (nothing to refresh with, or a loop to avoid).
    /// </summary>
    public Task<TokenResult<CachedCredential>?> RecoverFromUnauthorizedAsync(ProviderDefinition provider, CachedCredential rejected, CancellationToken cancellationToken) =>
        // Every request refused this token asks the same question: one asks the store, all get its answer.
        _recoveries.RunAsync($"{rejected.ConnectionId}\n{rejected.Version}", shared => RecoverAsync(provider, rejected, shared), cancellationToken);

    private async Task<TokenResult<CachedCredential>?> RecoverAsync(ProviderDefinition provider, CachedCredential rejected, CancellationToken cancellationToken)
    {
        var current = await store.GetAsync(rejected.ConnectionId, cancellationToken);
        if (current is null)
        {
            return TokenFailure.Of(FailureKind.NotConnected);
        }

        var now = time.GetUtcNow();
        // A write that kept the token (its acceptance recorded, a transient failure noted) is not a new token to replay with.
        if (current.Version != rejected.Version && !(current.Status == ConnectionStatus.Active && HoldsSameToken(current, rejected)))
        {
            // Someone refreshed (or revoked) since: use what is stored now, without refreshing again. Unless that token is at
            // its end too (requests that queued longer than a short token lives, another instance's refresh a while ago):
            // replayed, it would only be refused again, and that 401 would reach the app. It is renewed first, by a 401-driven
            // refresh of that version (by its own schedule it may not be due yet: the provider's clock is ahead).
            var stored = ToCredential(provider, current);
            var usable = Evaluate(stored);
            if (!usable.Succeeded || !stored.CanRefresh || !(stored.ExpiresAt - now <= ExpiryLeeway))
            {
                return usable;
            }

            var renewed = await refresher.RefreshAsync(stored.ConnectionId, RefreshReason.Upstream401, stored.Version, cancellationToken);
            return AfterRefresh(provider, renewed, stored, tokenKnownDead: true);
        }

        // The rejected token came from a 401-driven refresh, here or in another instance, and the API has never accepted it
        // (the row says so): refreshing again would not help. An API that answers 401 to every token must not cause a loop.
        // Unless the token is at its end: providers round expiry to whole seconds (a "2 s" token may live 1 s) and their
        // clocks differ, so a 401 within ExpiryLeeway of it is the expiry, and once per token cannot loop. The acceptance
        // that would lift the guard may also be unwritten yet (another instance's, or a write the store refused).
        if (!current.Renewable
            || (current.LastRefreshReason == RefreshReason.Upstream401.ToWire() && now - current.LastRefreshedAt < _unauthorizedBackoff
                && !(rejected.ExpiresAt - now <= ExpiryLeeway)))
        {
            return null;
        }

        if (_coolDownUntil.TryGetValue(rejected.ConnectionId, out var cool) && cool.Until > now)
        {
            return TokenResult<CachedCredential>.Fail(CoolingDown(cool, now), rejected);
        }

        var refreshed = await refresher.RefreshAsync(rejected.ConnectionId, RefreshReason.Upstream401, current.Version, cancellationToken);
        return AfterRefresh(provider, refreshed, rejected, tokenKnownDead: true);
    }

    /// <summary>
    /// The API answered <paramref name="credential"/>'s token with something other than 401. The first such answer to a
    /// token a 401-driven refresh produced is written to the row (one compare-and-swap per such token, never per request),
    /// so that every instance treats a later 401 to it as news. Free for any other token.
    /// </summary>
    public ValueTask NoteAcceptedAsync(CachedCredential credential, CancellationToken cancellationToken)
    {
        if (!credential.AwaitingAcceptance
            || (_acceptanceClaims.TryGetValue(credential.ConnectionId, out var claimed) && claimed >= credential.Version))
        {
            return ValueTask.CompletedTask;
        }

        _acceptanceClaims[credential.ConnectionId] = credential.Version;
        return new ValueTask(RecordAcceptanceAsync(credential, cancellationToken));
    }

    private async Task RecordAcceptanceAsync(CachedCredential credential, CancellationToken cancellationToken)
    {
        var recorded = false;
        try
        {
            var row = await store.GetAsync(credential.ConnectionId, cancellationToken);
            if (row is { Status: ConnectionStatus.Active } && row.LastRefreshReason == RefreshReason.Upstream401.ToWire() && HoldsSameToken(row, credential))
            {
                // Null when someone wrote first (a refresh, a revoke, another instance recording the same): theirs stands.
                await store.TryUpdateAsync(row with { LastRefreshReason = AcceptedAfterUpstream401 }, cancellationToken);
            }

            recorded = true;
        }
        catch (StoreUnavailableException)
        {
            // Not recorded, as below; the store logs its outage once, not per request. The API's answer goes to the app.
        }
        catch (DbException e)
        {
            // Not recorded: the guard holds this token's next 401 back for at most the backoff window, as before.
            instrumentation.AcceptanceNotRecorded(credential.ConnectionId, e);
        }
        finally
        {
            if (!recorded)
            {
                // A later acceptance tries again.
                _acceptanceClaims.TryRemove(KeyValuePair.Create(credential.ConnectionId, credential.Version));
            }
        }
    }

    /// <summary>Whether the row still holds the token of <paramref name="credential"/> (each seal has its own nonce, so a new token never compares equal).</summary>
    private static bool HoldsSameToken(ConnectionRow row, CachedCredential credential) =>
        row.AccessToken is not null && string.Equals(row.AccessToken, credential.SealedToken, StringComparison.Ordinal);
}
