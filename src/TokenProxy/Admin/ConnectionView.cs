using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>A connection as the admin API shows it (README, "Admin API"). Holds no token value, sealed or not.</summary>
internal sealed record ConnectionView(
    string Id,
    string Provider,
    string ProviderDisplayName,
    string Label,
    string? Workspace,
    string Status,
    string StatusDescription,
    AccountView? Account,
    IReadOnlyList<string> Scopes,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastRefreshedAt,
    ErrorView? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool CanRefresh,
    IReadOnlyDictionary<string, string> Parameters,
    string CredentialKind,
    DateTimeOffset? RefreshTokenExpiresAt,
    string? ErrorHint,
    EndUserView? EndUser,
    string Origin,
    IReadOnlyList<string> RequiredScopes,
    DateTimeOffset? AccessLapsesAt = null,
    bool ExpiringWarning = false,
    string? Warning = null)
{
    /// <summary>The view of <paramref name="row"/>; with <paramref name="lapses"/>, a lapse within <c>Refresh:ExpiringWarning</c> is shown as <see cref="Warning"/>.</summary>
    public static ConnectionView From(ConnectionRow row, ProviderCatalog providers, ConnectionLapses lapses) =>
        lapses.WarningFor(row) is { } lapse
            ? Of(row, providers) with { AccessLapsesAt = lapse.At, ExpiringWarning = true, Warning = lapse.Text }
            : Of(row, providers) with { AccessLapsesAt = ConnectionLapses.Of(row)?.At };

    private static ConnectionView Of(ConnectionRow row, ProviderCatalog providers) => new(
        row.Id,
        row.Provider,
        providers.TryGet(row.Provider, out var provider) ? provider.DisplayName : row.Provider,
        row.Label,
        row.Workspace,
        row.Status.ToWire(),
        provider is not null && !provider.Offers(row.CredentialKind)
            ? $"{row.Status.Describe()} {provider.DisplayName} no longer offers {row.CredentialKind.ToWire()} credentials (its Auth): requests with this connection are refused."
            : row.Status.Describe(),
        // Cleaned again when shown: a row stored before the identity's text was cleaned on arrival keeps it as it came.
        row.Account is { } a ? new AccountView(a.Id, ProviderText.Account(a.Email), ProviderText.Account(a.Name)) : null,
        row.Scopes,
        row.ExpiresAt,
        row.LastRefreshedAt,
        row.LastError is { } e ? new ErrorView(e.Code, e.Description, e.At) : null,
        row.CreatedAt,
        row.UpdatedAt,
        // The same conditions a refresh checks (TokenRefresher): a refresh token or the client credentials grant, a provider
        // that can use it, and parameters that resolve its token endpoint.
        CanRefresh: row.Renewable && row.Status != ConnectionStatus.Revoked && provider is not null && provider.CanRenew(row.CredentialKind)
            && provider.ForConnection(row.Parameters, out _) is not null,
        row.Parameters,
        row.CredentialKind.ToWire(),
        row.RefreshTokenExpiresAt,
        // The operator's advice for the provider's error, while the connection is stuck in it (ErrorHints).
        row is { Status: ConnectionStatus.Error, LastError: { } error } && provider is not null ? provider.ErrorHints.For(error.Code, error.Description) : null,
        EndUserView.From(row.EndUser),
        row.Origin.ToWire(),
        row.RequiredScopes);
}

internal sealed record AccountView(string? Id, string? Email, string? Name);

internal sealed record ErrorView(string Code, string? Description, DateTimeOffset At);
