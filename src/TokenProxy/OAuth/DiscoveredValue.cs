namespace TokenProxy.OAuth;

/// <summary>One entry of a discovery answer: the placeholder value it offers and what the person sees for it.</summary>
internal sealed record DiscoveredValue(string Value, string Label);
