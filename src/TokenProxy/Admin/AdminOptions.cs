namespace TokenProxy.Admin;

/// <summary><c>TokenProxy:Admin</c>: who may use the admin API and pages.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "TokenProxy:Admin";

    /// <summary>The shortest admin token accepted.</summary>
    public const int MinTokenLength = 16;

    /// <summary>
    /// When set, every admin request needs <c>Authorization: Bearer {Token}</c>, from any address.
    /// When not set, the admin surface answers loopback clients only.
    /// </summary>
    /// <value>Default: not set; at least 16 characters.</value>
    public string? Token { get; set; }
}
