namespace TokenProxy.Portal;

/// <summary>The answer to the portal's Connect button: where the browser goes next.</summary>
internal sealed record PortalNext(string Location);
