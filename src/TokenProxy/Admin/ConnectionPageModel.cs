using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>What <see cref="ConnectionPage"/> shows: one connection, and the outcome keyword of the action that led here, if any.</summary>
internal sealed record ConnectionPageModel(ConnectionRow Row, ConnectionView View, string? Outcome);
