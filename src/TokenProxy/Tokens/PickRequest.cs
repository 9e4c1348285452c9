using TokenProxy.OAuth;

namespace TokenProxy.Tokens;

/// <summary>A connect waiting for the person to pick one of several discovered values (an Atlassian site) under <paramref name="Key"/>.</summary>
internal sealed record PickRequest(string Key, string ParameterLabel, IReadOnlyList<DiscoveredValue> Offered);
