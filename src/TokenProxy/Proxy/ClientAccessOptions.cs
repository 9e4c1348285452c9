namespace TokenProxy.Proxy;

/// <summary>
/// Who may use the data plane: <c>TokenProxy:AllowedOrigins</c> and <c>TokenProxy:Clients</c>, at the top of the
/// <c>TokenProxy</c> section.
/// </summary>
internal sealed class ClientAccessOptions
{
    public const string SectionName = "TokenProxy";

    /// <summary>Browser origins allowed to call the data plane (exact <c>scheme://host[:port]</c>).</summary>
    /// <value>
    /// Default: none — a request carrying any <c>Origin</c> header, or <c>Sec-Fetch-Site: cross-site</c>, is refused.
    /// </value>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Client keys by client name. When any is configured, every data-plane request must present one in
    /// <c>Proxy-Authorization: Bearer &lt;key&gt;</c>. Required when listening on a non-loopback address.
    /// </summary>
    /// <value>Default: none.</value>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
