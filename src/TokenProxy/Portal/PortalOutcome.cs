namespace TokenProxy.Portal;

/// <summary>The answer to a portal action: the sentence the page shows.</summary>
internal sealed record PortalOutcome(string Message);
