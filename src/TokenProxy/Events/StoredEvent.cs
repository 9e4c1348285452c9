using System.Text.Json.Nodes;

namespace TokenProxy.Events;

/// <summary>
/// One durable event: a change in a connection's (or a connect request's, the vault's, a provider's) life, committed with
/// the change it describes. <see cref="Sequence"/> orders every event of the store (assigned at commit, increasing); a
/// reader that has seen up to N asks for what follows N. <see cref="Data"/> holds details (an OAuth error code and
/// description, a revocation result) and never a secret.
/// </summary>
internal sealed record StoredEvent(
    long Sequence,
    string Id,
    string Type,
    DateTimeOffset CreatedAt,
    string? Workspace,
    string? EndUser,
    string? ConnectionId,
    string? Provider,
    string Actor,
    JsonObject Data);
