namespace TokenProxy.Vault;

/// <summary>
/// A provider entry written through the admin API: its JSON without secrets, the client secrets sealed (one JSON list,
/// newest first, associated data = <see cref="SecretSealer.ProviderRecord"/> + <see cref="SecretSealer.ClientSecretsField"/>),
/// and a version every write compares and increments.
/// </summary>
internal sealed record StoredProviderRow(string Name, string Definition, string? ClientSecrets, long Version, DateTimeOffset UpdatedAt);
