namespace TokenProxy.Portal;

/// <summary>The answer to ending a workspace's portal access: how many sessions ended (its links are deleted too).</summary>
internal sealed record PortalSessionsEnded(string Workspace, int SessionsEnded);
