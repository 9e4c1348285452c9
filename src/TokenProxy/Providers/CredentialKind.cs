namespace TokenProxy.Providers;

/// <summary>
/// What a connection holds and how it is sent upstream. A provider offers some of <see cref="OAuth2"/>,
/// <see cref="ApiKey"/>, <see cref="Basic"/> and <see cref="ClientCredentials"/> (its <c>Auth</c>); <see cref="Bearer"/> is an access token imported
/// without a refresh token into a provider that offers OAuth2. Stored and shown in lower case.
/// </summary>
internal enum CredentialKind
{
    /// <summary>Tokens from a connect, or imported with a refresh token: refreshed before expiry and on 401.</summary>
    OAuth2,

    /// <summary>An access token imported without a refresh token: sent as is until it expires.</summary>
    Bearer,

    /// <summary>An API key sent in a header or a query parameter; never refreshed.</summary>
    ApiKey,

    /// <summary>A user name and password sent as <c>Authorization: Basic</c> (RFC 7617); never refreshed.</summary>
    Basic,

    /// <summary>
    /// Tokens the proxy obtains for itself with the provider's client id and secret (RFC 6749 §4.4), no person involved:
    /// renewed before expiry and on 401 by running the grant again; there is no refresh token.
    /// </summary>
    ClientCredentials,
}

internal static class CredentialKindNames
{
    public static string ToWire(this CredentialKind kind) => kind switch
    {
        CredentialKind.OAuth2 => "oauth2",
        CredentialKind.Bearer => "bearer",
        CredentialKind.ApiKey => "apikey",
        CredentialKind.Basic => "basic",
        CredentialKind.ClientCredentials => "clientcredentials",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static CredentialKind Parse(string value) =>
        TryParse(value, out var kind) ? kind : throw new FormatException($"Unknown credential kind '{value}'.");

    /// <summary>Every kind's wire name, for messages that list them: "oauth2, bearer, …".</summary>
    public static string WireNames => string.Join(", ", Enum.GetValues<CredentialKind>().Select(ToWire));

    /// <summary>The kind a wire name (<see cref="ToWire"/>) names; false for any other text.</summary>
    public static bool TryParse(string? value, out CredentialKind kind)
    {
        (var known, kind) = value switch
        {
            "oauth2" => (true, CredentialKind.OAuth2),
            "bearer" => (true, CredentialKind.Bearer),
            "apikey" => (true, CredentialKind.ApiKey),
            "basic" => (true, CredentialKind.Basic),
            "clientcredentials" => (true, CredentialKind.ClientCredentials),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>True for the kinds a provider's <c>Auth</c> can name and whose secret is never refreshed.</summary>
    public static bool IsStatic(this CredentialKind kind) => kind is CredentialKind.ApiKey or CredentialKind.Basic;

    /// <summary>True for the kinds a person gets again by connecting in the browser; not a key, Basic credentials or a client's own grant.</summary>
    public static bool IsReconnectable(this CredentialKind kind) => kind is CredentialKind.OAuth2 or CredentialKind.Bearer;
}
