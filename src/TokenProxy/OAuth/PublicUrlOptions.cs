namespace TokenProxy.OAuth;

/// <summary>
/// <c>TokenProxy:PublicBaseUrl</c>, at the top of the <c>TokenProxy</c> section: the address redirect URIs are built from,
/// so the OAuth client owns it; the connect links of the admin API and the data plane's problems use it too.
/// </summary>
internal sealed class PublicUrlOptions
{
    public const string SectionName = "TokenProxy";

    /// <summary>The address people's browsers use to reach the proxy; OAuth redirect URIs are built from it.</summary>
    /// <value>Default: <c>http://127.0.0.1:5080</c>; an absolute http(s) URL.</value>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5080";
}
