using System.Text.Json.Serialization;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>POST /admin/api/connections</c>: a credential obtained elsewhere stored as a connection: a token (a personal
/// access token, a token from another tool), an API key, or a Basic user name and password; or, with no credential in
/// the body, a client-credentials connection whose first token the proxy obtains itself (RFC 6749 §4.4).
/// </summary>
internal sealed record ImportConnectionRequest(
    string? Provider,
    string? Label,
    string? Workspace,
    string? AccessToken,
    string? RefreshToken,
    long? ExpiresIn,
    string[]? Scopes,
    Dictionary<string, string>? Parameters,
    string? ApiKey = null,
    string? Username = null,
    string? Password = null,
    [property: JsonPropertyName("credentialKind")] string? DeclaredKind = null,
    EndUserView? EndUser = null)
{
    private const long MaxExpiresIn = 10L * 366 * 24 * 3600;

    /// <summary>The body's fields as JSON names them (matched case aside, as the reader does).</summary>
    public static readonly IReadOnlySet<string> Fields = new SortedSet<string>(
        ["provider", "label", "workspace", "accessToken", "refreshToken", "expiresIn", "scopes", "parameters", "apiKey", "username", "password", "credentialKind", "endUser"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every key of the body, <c>endUser</c>'s included, that the import does not read, under its path
    /// (<c>refresh_token</c>, <c>endUser.display_name</c>), each with the fields it could have meant: none is dropped.
    /// </summary>
    public static Dictionary<string, string[]> UnreadKeys(System.Text.Json.JsonElement body) => JsonKeys.Unread(body, Fields, "an import");

    /// <summary>
    /// The kind of credential the body carries: <c>apiKey</c>, <c>username</c>/<c>password</c>, or an access token (OAuth2
    /// when it comes with a refresh token, which the proxy then uses; a plain bearer token otherwise); none at all asks for
    /// a client-credentials connection.
    /// </summary>
    public CredentialKind Kind => (ApiKey, Username, Password) switch
    {
        (not null, _, _) => CredentialKind.ApiKey,
        (_, not null, _) or (_, _, not null) => CredentialKind.Basic,
        _ when AccessToken is null && RefreshToken is null => CredentialKind.ClientCredentials,
        _ => RefreshToken is null ? CredentialKind.Bearer : CredentialKind.OAuth2,
    };

    /// <summary>The secret sealed into the row: the access token, the API key, or RFC 7617 user-pass.</summary>
    public string Secret => Kind switch
    {
        CredentialKind.ApiKey => ApiKey!,
        CredentialKind.Basic => $"{Username}:{Password}",
        _ => AccessToken!,
    };

    /// <summary>Every problem with the request, by field; empty when it is valid. Never echoes a token.</summary>
    public Dictionary<string, string[]> Validate(ProviderCatalog providers)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(Provider) || !providers.TryGet(Provider, out var provider))
        {
            errors["provider"] = [$"'{Provider}' is not a configured provider."];
        }
        else
        {
            ValidateParameters(provider, errors);
            if (!provider.Offers(Kind))
            {
                errors[KindField] = [$"{provider.Name} does not take {Describe(Kind)}; it offers {string.Join(", ", provider.CredentialKinds.Select(Describe))}."];
            }
            else if (Kind == CredentialKind.ClientCredentials && !provider.CanRequestClientCredentials)
            {
                errors["provider"] = [$"{provider.Name} offers client credentials, but has no ClientId (and ClientSecret) configured to request them with."];
            }
        }

        if (Label is not null && !ConnectionLabel.IsValid(Label))
        {
            errors["label"] = [ConnectionLabel.Rule];
        }

        if (Workspace is not null && !ScopeNames.IsWorkspace(Workspace))
        {
            errors["workspace"] = [ScopeNames.WorkspaceRule];
        }

        EndUser?.Validate(errors);

        ValidateSecret(errors);
        ValidateDeclaredKind(errors);

        if (RefreshToken is not null && !TokenValue.IsValid(RefreshToken))
        {
            errors["refreshToken"] = [$"The refresh token must be visible ASCII without spaces or control characters, {TokenValue.Limit}{TokenValue.LengthIfOver(RefreshToken)}."];
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

    /// <summary>
    /// Every declared parameter is given and valid, none other is, and each URL of the provider resolves with them to an
    /// allowed address. A problem names the parameter and its label; it never quotes the value (it may be 10 KB of anything).
    /// </summary>
    private void ValidateParameters(ProviderDefinition provider, Dictionary<string, string[]> errors)
    {
        var given = Parameters ?? [];
        foreach (var name in given.Keys.Where(n => !provider.Parameters.ContainsKey(n)))
        {
            errors[$"parameters.{Truncated(name)}"] = [$"{provider.Name} has no parameter by that name (its parameters: {string.Join(", ", provider.Parameters.Keys)})."];
        }

        foreach (var parameter in provider.Parameters.Values)
        {
            var problem = given.TryGetValue(parameter.Name, out var value) ? parameter.Problem(value) : "is missing";
            if (problem is not null)
            {
                errors[$"parameters.{parameter.Name}"] = [$"{parameter.Label} ({parameter.Name}) {problem}."];
            }
        }

        if (errors.Keys.Any(k => k.StartsWith("parameters.", StringComparison.Ordinal)))
        {
            return;
        }

        // Each value is valid on its own; the URLs they make are checked too (host, port, path), as a request would be.
        foreach (var template in provider.UrlTemplates.Values)
        {
            if (template.Resolve(given) is { Succeeded: false } refused)
            {
                errors[$"parameters.{refused.Parameter!.Name}"] = [$"{refused.Describe()}."];
            }
        }
    }

    /// <summary>The body field that chose the kind, where a problem with the kind is reported.</summary>
    private string KindField => Kind switch
    {
        CredentialKind.ApiKey => "apiKey",
        CredentialKind.Basic => "username",
        CredentialKind.ClientCredentials => "credential",
        _ => "accessToken",
    };

    private static string Describe(CredentialKind kind) => kind switch
    {
        CredentialKind.ApiKey => "an API key (ApiKey: apiKey)",
        CredentialKind.Basic => "Basic credentials (Basic: username, password)",
        CredentialKind.ClientCredentials => "client credentials (ClientCredentials: provider and label, no credential in the body)",
        _ => "tokens (OAuth2: accessToken, refreshToken)",
    };

    /// <summary>
    /// <c>credentialKind</c> is optional, since the fields decide the kind; when given (as <c>vault export</c> and the
    /// connection JSON name it) it must agree with them, so a body meant as one kind is never stored as another.
    /// </summary>
    private void ValidateDeclaredKind(Dictionary<string, string[]> errors)
    {
        if (DeclaredKind is null)
        {
            return;
        }

        if (!CredentialKindNames.TryParse(DeclaredKind.ToLowerInvariant(), out var declared))
        {
            errors["credentialKind"] = [$"'{Truncated(DeclaredKind)}' is not a credential kind ({CredentialKindNames.WireNames})."];
        }
        else if (declared != Kind)
        {
            var given = Kind == CredentialKind.Bearer ? "an access token without a refresh token (bearer)" : Describe(Kind);
            errors["credentialKind"] = [$"credentialKind is {declared.ToWire()}, but the fields given make {given}."];
        }
    }

    /// <summary>One kind of credential, complete and writable into a header; never quotes a value.</summary>
    private void ValidateSecret(Dictionary<string, string[]> errors)
    {
        var given = new[] { AccessToken is not null, ApiKey is not null, Username is not null || Password is not null }.Count(g => g);
        if (given > 1)
        {
            errors["credential"] = ["Give one credential: accessToken, apiKey, or username and password."];
            return;
        }

        switch (Kind)
        {
            case CredentialKind.ApiKey:
                if (!TokenValue.IsValid(ApiKey))
                {
                    errors["apiKey"] = [$"The API key must be visible ASCII without spaces or control characters, {TokenValue.Limit}{TokenValue.LengthIfOver(ApiKey)}."];
                }

                break;
            case CredentialKind.Basic:
                // RFC 7617 §2: the user-id cannot contain a colon; neither part may hold control characters.
                if (string.IsNullOrEmpty(Username) || Username.Contains(':', StringComparison.Ordinal) || Username.Any(char.IsControl) || Username.Length > TokenValue.MaxLength)
                {
                    errors["username"] = [$"The user name is required, without ':' or control characters, {TokenValue.Limit}{TokenValue.LengthIfOver(Username)}."];
                }

                // RFC 7617 §2: password = *TEXT, so an empty one is valid (APIs that take their key as the user name expect it).
                if (Password is null || Password.Any(char.IsControl) || Password.Length > TokenValue.MaxLength)
                {
                    errors["password"] = [$"The password is required (it may be empty: \"\"), without control characters, {TokenValue.Limit}{TokenValue.LengthIfOver(Password)}."];
                }

                break;
            case CredentialKind.ClientCredentials:
                // The token endpoint says how long its token lives.
                if (ExpiresIn is not null)
                {
                    errors["expiresIn"] = ["A client-credentials connection takes no expiresIn: its tokens come from the token endpoint with their lifetime."];
                }

                break;
            default:
                if (!TokenValue.IsValid(AccessToken))
                {
                    errors["accessToken"] = [AccessToken is null
                        ? $"An access token, an apiKey, or a username and password is required; a token is visible ASCII without spaces or control characters, {TokenValue.Limit}."
                        : $"The access token must be visible ASCII without spaces or control characters, {TokenValue.Limit}{TokenValue.LengthIfOver(AccessToken)}."];
                }

                break;
        }

        if (Kind.IsStatic() && (RefreshToken is not null || ExpiresIn is not null || Scopes is not null))
        {
            errors["credential"] = ["An API key or Basic credentials take no refreshToken, expiresIn or scopes: they are never refreshed."];
        }
    }

    private static string Truncated(string name) => name.Length <= 64 ? name : name[..64] + "…";
}
