namespace TokenProxy.Vault;

/// <summary>A portal link as stored: the SHA-256 hash of its token, the workspace it opens, and until when.</summary>
internal sealed record PortalLink(string TokenHash, string Workspace, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
