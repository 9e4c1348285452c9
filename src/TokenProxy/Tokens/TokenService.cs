using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// Gives the proxy the token for a request. The hot path is one dictionary lookup: no store read, no
/// decryption. A miss reads the row once, opens the access token and caches the ready header value
/// for that row version.
/// </summary>
internal sealed class TokenService(IConnectionStore store, SecretSealer sealer, CredentialCache cache)
{
    public ValueTask<TokenLookup> GetAccessTokenAsync(ProviderDefinition provider, string selector, CancellationToken cancellationToken)
    {
        if (cache.TryGet(provider.Name, selector, out var credential))
        {
            return ValueTask.FromResult(Evaluate(credential));
        }

        return LoadAndEvaluateAsync(provider, selector, cancellationToken);
    }

    private async ValueTask<TokenLookup> LoadAndEvaluateAsync(ProviderDefinition provider, string selector, CancellationToken cancellationToken)
    {
        var credential = await LoadAsync(provider, selector, cancellationToken);
        return credential is null ? TokenLookup.Fail(TokenFailure.NotConnected) : Evaluate(credential);
    }

    /// <summary>Reads the connection from the store and caches it; null when there is no such connection.</summary>
    public async Task<CachedCredential?> LoadAsync(ProviderDefinition provider, string selector, CancellationToken cancellationToken)
    {
        var epoch = cache.Epoch;
        var row = await store.FindAsync(provider.Name, selector, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var credential = ToCredential(provider, row);
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
            CanRefresh: row.RefreshToken is not null, Undecryptable: undecryptable);
    }

    private static TokenLookup Evaluate(CachedCredential credential) => credential switch
    {
        { Status: ConnectionStatus.Revoked } => TokenLookup.Fail(TokenFailure.Revoked, credential),
        { Status: ConnectionStatus.Error } or { Undecryptable: true } => TokenLookup.Fail(TokenFailure.ReconnectRequired, credential),
        // A connection being (re)authorized keeps serving with the token it already holds, if any.
        { HeaderValue: null } => TokenLookup.Fail(TokenFailure.NotConnected, credential),
        _ => TokenLookup.Success(credential),
    };
}
