namespace TokenProxy.Portal;

/// <summary>One outstanding connect request as the portal lists it: never its link token.</summary>
internal sealed record OutstandingRequest(string Id, string ProviderDisplayName, string? Label, string? Message, DateTimeOffset ExpiresAt);
