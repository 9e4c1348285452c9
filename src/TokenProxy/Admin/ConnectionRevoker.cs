using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// Revokes a connection as <c>POST /admin/api/connections/{id}/revoke</c> does (RFC 7009 at the provider when it has an
/// endpoint, local secrets erased whatever it said), for that endpoint and for the removals that revoke first: a
/// workspace deleted with its connections, an end user's credentials reset.
/// </summary>
internal sealed class ConnectionRevoker(
    IConnectionStore store, SecretSealer sealer, RevocationClient revocations, ProviderCatalog providers, TimeProvider time, AdminInstrumentation instrumentation)
{
    /// <summary>Revokes <paramref name="connection"/> as an admin; the committed row and what the provider said, or nulls when the row is gone.</summary>
    public Task<(ConnectionRow? Row, RevocationResult? Revocation)> RevokeAsync(ConnectionRow connection, CancellationToken cancellationToken) =>
        RevokeAsync(connection, EventTypes.ActorAdmin, cancellationToken);

    /// <summary>Revokes <paramref name="connection"/>; <paramref name="actor"/> names who asked, in the <c>connection.revoked</c> event.</summary>
    public async Task<(ConnectionRow? Row, RevocationResult? Revocation)> RevokeAsync(ConnectionRow connection, string actor, CancellationToken cancellationToken)
    {
        var row = connection;
        using var activity = AdminInstrumentation.StartRevoke(row.Id);
        AdminInstrumentation.ForProvider(activity, row.Provider);
        providers.TryGet(row.Provider, out var provider);
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        RevocationResult? revocation = null;
        while (true)
        {
            // Revoke whatever the row holds now. If a refresh committed new tokens in between, the loop comes back
            // here with them: tokens the provider minted for a revoked connection must not stay alive there.
            var fresh = new[] { row.RefreshToken, row.AccessToken }.OfType<string>().Where(revoked.Add).ToList();
            if (fresh.Count > 0 || revocation is null)
            {
                string? refresh = null;
                string? access = null;
                var hasSecrets = !row.CredentialKind.IsStatic() && (row.RefreshToken is { } r && fresh.Contains(r) && sealer.TryOpen(row.Id, SecretSealer.RefreshTokenField, r, out refresh))
                    | (row.AccessToken is { } a && fresh.Contains(a) && sealer.TryOpen(row.Id, SecretSealer.AccessTokenField, a, out access));
                UrlResolution refused = default;
                var result = row.CredentialKind.IsStatic()
                    ? RevocationResult.NotSupported("An API key or Basic credentials are revoked at the provider itself; the proxy erased its copy.")
                    : !hasSecrets || provider is null
                    ? RevocationResult.NotSupported("There was nothing to revoke at the provider.")
                    : provider.ForConnection(row.Parameters, out refused) is { } endpoints
                    ? await revocations.RevokeAsync(endpoints, refresh, access, cancellationToken, row.Parameters)
                    : RevocationResult.Unreachable($"The provider could not be reached: the connection's address no longer resolves ({refused.Describe()}); the tokens were deleted here only and may stay valid at the provider until they expire.");
                revocation = revocation is null ? result : revocation.Then(result);
            }

            // Local secrets go whatever the provider said: the connection must stop working here at once.
            var now = time.GetUtcNow();
            var revokedRow = row with { Status = ConnectionStatus.Revoked, AccessToken = null, RefreshToken = null, ExpiresAt = null, RefreshTokenExpiresAt = null, UpdatedAt = now };
            if (await store.TryUpdateAsync(revokedRow, ConnectionEvents.Revoked(row, actor, revocation), cancellationToken) is { } committed)
            {
                instrumentation.Revoked(activity, row.Provider, row.Id, revocation);
                return (committed, revocation);
            }

            row = await store.GetAsync(row.Id, cancellationToken);
            if (row is null)
            {
                return (null, null);
            }
        }
    }

    /// <summary>Revokes the connection unless it is revoked already, then deletes it; false when it was gone meanwhile.</summary>
    public Task<bool> RevokeAndDeleteAsync(ConnectionRow row, CancellationToken cancellationToken) => RevokeAndDeleteAsync(row, EventTypes.ActorAdmin, cancellationToken);

    /// <summary>Revokes then deletes, as <paramref name="actor"/>.</summary>
    public async Task<bool> RevokeAndDeleteAsync(ConnectionRow row, string actor, CancellationToken cancellationToken)
    {
        if (row.Status != ConnectionStatus.Revoked && (await RevokeAsync(row, actor, cancellationToken)).Row is null)
        {
            return false;
        }

        if (!await store.DeleteAsync(row.Id, ConnectionEvents.Deleted(row, actor), cancellationToken))
        {
            return false;
        }

        instrumentation.Deleted(row.Id);
        return true;
    }
}
