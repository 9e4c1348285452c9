namespace TokenProxy.Providers;

/// <summary>
/// Where to read the connected account's identity, and which JSON fields hold it. <see cref="Url"/> is null while it
/// has placeholders: <see cref="ProviderDefinition.ForConnection"/> fills it per connection.
/// </summary>
internal sealed record IdentityEndpoint(Uri? Url, string? IdField, string? EmailField, string? NameField);
