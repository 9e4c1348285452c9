namespace TokenProxy.Providers;

/// <summary>Where a <see cref="RevocationEndpoint"/> carries the token being revoked.</summary>
internal enum RevocationTokenPlacement
{
    /// <summary>A form field (RFC 7009 §2.1).</summary>
    Form,

    /// <summary>A member of a JSON object body (GitHub <c>access_token</c>).</summary>
    Json,

    /// <summary>A query parameter.</summary>
    Query,

    /// <summary>The <c>{token}</c> of the URL's path (HubSpot <c>/oauth/v1/refresh-tokens/{token}</c>).</summary>
    Path,
}
