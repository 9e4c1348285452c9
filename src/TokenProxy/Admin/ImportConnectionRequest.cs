using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>POST /admin/api/connections</c>: a token obtained elsewhere (a personal access token, an API key, a
/// token from another tool) stored as a connection.
/// </summary>
internal sealed record ImportConnectionRequest(
    string? Provider,
    string? Label,
    string? Workspace,
    string? AccessToken,
    string? RefreshToken,
    long? ExpiresIn,
    string[]? Scopes)
{
    private const long MaxExpiresIn = 10L * 366 * 24 * 3600;

    /// <summary>Every problem with the request, by field; empty when it is valid. Never echoes a token.</summary>
    public Dictionary<string, string[]> Validate(ProviderCatalog providers)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(Provider) || !providers.TryGet(Provider, out _))
        {
            errors["provider"] = [$"'{Provider}' is not a configured provider."];
        }

        if (Label is not null && !ConnectionLabel.IsValid(Label))
        {
            errors["label"] = [ConnectionLabel.Rule];
        }

        if (Workspace is not null && !ConnectionLabel.IsValid(Workspace))
        {
            errors["workspace"] = ["A workspace is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (!TokenValue.IsValid(AccessToken))
        {
            errors["accessToken"] = ["The access token is required and must be visible ASCII without spaces or control characters."];
        }

        if (RefreshToken is not null && !TokenValue.IsValid(RefreshToken))
        {
            errors["refreshToken"] = ["The refresh token must be visible ASCII without spaces or control characters."];
        }

        if (Scopes is not null && ScopeSyntax.Problem(Scopes) is { } scopeProblem)
        {
            errors["scopes"] = [scopeProblem];
        }

        if (ExpiresIn is <= 0 or > MaxExpiresIn)
        {
            errors["expiresIn"] = [$"expiresIn is a positive number of seconds, at most {MaxExpiresIn} (10 years)."];
        }

        return errors;
    }
}
