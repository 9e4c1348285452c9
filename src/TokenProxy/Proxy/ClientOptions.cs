namespace TokenProxy.Proxy;

/// <summary>One app allowed to use the data plane: <c>TokenProxy:Clients:{name}</c>.</summary>
internal sealed class ClientOptions
{
    /// <summary>The shortest client key accepted.</summary>
    public const int MinKeyLength = 32;

    /// <summary>The key the app sends as <c>Proxy-Authorization: Bearer {Key}</c>.</summary>
    /// <value>Required; at least 32 characters.</value>
    public string? Key { get; set; }

    /// <summary>Providers this key may use.</summary>
    /// <value>Default: all.</value>
    public string[]? Providers { get; set; }

    /// <summary>
    /// The only workspace whose connections this key may use, and the one its requests use when they name none
    /// (<c>TokenProxy-Workspace</c>).
    /// </summary>
    /// <value>Default: any; a request naming none uses connections in no workspace.</value>
    public string? Workspace { get; set; }

    /// <summary>
    /// The only end user whose connections this key may use, and the one its requests use when they name none
    /// (<c>TokenProxy-End-User</c>).
    /// </summary>
    /// <value>
    /// Default: any; a request naming none uses connections of no end user. Without <see cref="Workspace"/>, the key is
    /// also limited to no workspace (end user ids are unique only within one).
    /// </value>
    public string? EndUser { get; set; }
}
