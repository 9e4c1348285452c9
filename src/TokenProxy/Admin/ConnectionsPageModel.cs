using TokenProxy.Providers;
using TokenProxy.Telemetry;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>What <see cref="ConnectionsPage"/> shows: every connection, the providers, the latest events (newest first).</summary>
internal sealed record ConnectionsPageModel(IReadOnlyList<ConnectionRow> Rows, ProviderCatalog Providers, IReadOnlyList<ProxyEvent> Events);
