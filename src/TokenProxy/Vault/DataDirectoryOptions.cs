namespace TokenProxy.Vault;

/// <summary><c>TokenProxy:DataDirectory</c>: where the SQLite store keeps its files.</summary>
internal sealed class DataDirectoryOptions
{
    /// <summary>The key sits at the top of the <c>TokenProxy</c> section.</summary>
    public const string SectionName = "TokenProxy";

    /// <summary>Where the SQLite database lives.</summary>
    /// <value>Default: <c>~/.local/share/tokenproxy</c> (the user's data directory).</value>
    public string? DataDirectory { get; set; }
}
