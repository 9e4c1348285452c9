namespace TokenProxy.Providers;

/// <summary>Where to read the connected account's identity, and which JSON fields hold it.</summary>
internal sealed record IdentityEndpoint(Uri Url, string? IdField, string? EmailField, string? NameField);
