namespace TokenProxy.OAuth;

/// <summary>The values a discovery call offered (those that pass the parameter's checks), or why the call failed.</summary>
internal sealed record DiscoveryResult(IReadOnlyList<DiscoveredValue> Offered, string? Problem)
{
    public static DiscoveryResult Failed(string problem) => new([], problem);
}
