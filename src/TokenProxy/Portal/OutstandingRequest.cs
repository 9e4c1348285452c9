namespace TokenProxy.Portal;

/// <summary>One outstanding connect request as the portal lists it: never its link token.</summary>
internal sealed record OutstandingRequest(string Id, string ProviderDisplayName, string? Label, string? Message, DateTimeOffset ExpiresAt)
{
    /// <summary>It still needs a value the person gives on the link's page (a Zendesk subdomain): connected from the link, not from here.</summary>
    public bool NeedsLink { get; init; }
}
