namespace TokenProxy.Portal;

/// <summary>A new portal link: the only time its address is ever shown (only its hash is stored).</summary>
internal sealed record PortalLinkView(string Url, DateTimeOffset ExpiresAt);
