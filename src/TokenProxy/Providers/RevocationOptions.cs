namespace TokenProxy.Providers;

/// <summary>
/// <c>TokenProxy:Providers:{name}:Revocation</c>: a revocation endpoint that is not RFC 7009, as data. Defaults give
/// RFC 7009's request (POST, the token in a form field <c>token</c>, the token endpoint's client authentication, the
/// refresh token then the access token).
/// </summary>
internal sealed class RevocationOptions
{
    /// <summary>
    /// The endpoint (https). May hold the provider's placeholders, <c>{client_id}</c> (the provider's ClientId) and, with
    /// <see cref="TokenIn"/> <c>path</c>, <c>{token}</c> once in the path.
    /// </summary>
    public string? Url { get; set; }

    /// <summary><c>POST</c> (default) or <c>DELETE</c>.</summary>
    public string? Method { get; set; }

    /// <summary><c>basic</c>, <c>post</c> (client id and secret in the body) or <c>none</c>. Default: as at the token endpoint.</summary>
    public string? ClientAuth { get; set; }

    /// <summary><c>form</c> (default), <c>json</c>, <c>query</c> or <c>path</c> (the <c>{token}</c> of <see cref="Url"/>).</summary>
    public string? TokenIn { get; set; }

    /// <summary>The field or query parameter that carries the token. Default: <c>token</c>; not used with <c>path</c>.</summary>
    public string? TokenField { get; set; }

    /// <summary>Which tokens are revoked: <c>refresh</c>, <c>access</c> or <c>both</c> (default: refresh first).</summary>
    public string? Tokens { get; set; }
}
