using System.Text.Json.Nodes;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// The events of a connection's changes, built from its row as the writer passes them to the store with the change
/// (docs/architecture.md §11). Data holds codes, labels and what the provider said, never a token.
/// </summary>
internal static class ConnectionEvents
{
    /// <summary>
    /// A <c>connect_request.*</c> event about <paramref name="request"/>: its workspace, end user and provider, the connection
    /// it reconnects or made, and its id and label in the data (never its link token).
    /// </summary>
    public static NewEvent Request(ConnectRequestRow request, string type, string actor) =>
        new(type, actor, request.ConnectionId ?? request.ResultConnectionId, request.Workspace, request.EndUser?.Id, request.Provider,
            new JsonObject { ["request"] = request.Id, ["label"] = request.Label });

    /// <summary>An event about <paramref name="row"/>: its id, workspace, end user and provider.</summary>
    public static NewEvent About(ConnectionRow row, string type, string actor, JsonObject? data = null) =>
        new(type, actor, row.Id, row.Workspace, row.EndUser?.Id, row.Provider, data);

    /// <summary>A connection now exists with credentials; <paramref name="how"/> is <c>connect</c>, <c>import</c> or <c>client_credentials</c>.</summary>
    public static NewEvent[] Created(ConnectionRow row, string actor, string how) =>
        [About(row, EventTypes.ConnectionCreated, actor, new JsonObject { ["label"] = row.Label, ["via"] = how })];

    /// <summary>
    /// An existing connection got new tokens from a sign-in: <c>connection.reconnected</c>, and <c>connection.recovered</c>
    /// too when <paramref name="before"/> was in <c>error</c>.
    /// </summary>
    public static NewEvent[] Reconnected(ConnectionRow before, string actor) =>
        [About(before, EventTypes.ConnectionReconnected, actor), .. Recovered(before, actor)];

    /// <summary>A refresh committed: told one by one only when a person asked for it; <c>connection.recovered</c> when it ends an error.</summary>
    public static NewEvent[] Refreshed(ConnectionRow before, string actor, bool manual) =>
        [.. manual ? [About(before, EventTypes.ConnectionRefreshed, actor)] : Array.Empty<NewEvent>(), .. Recovered(before, actor)];

    /// <summary>The connection goes to <c>error</c> (RFC 6749 §5.2 code and description); nothing when it already was.</summary>
    public static NewEvent[] Error(ConnectionRow before, string actor, string? code, string? description) =>
        before.Status == ConnectionStatus.Error
            ? []
            : [About(before, EventTypes.ConnectionError, actor, new JsonObject { ["error"] = ProviderText.Code(code), ["errorDescription"] = ProviderText.Description(description) })];

    /// <summary>The connection is revoked here; <paramref name="revocation"/> is what the provider said (RFC 7009).</summary>
    public static NewEvent[] Revoked(ConnectionRow before, string actor, RevocationResult revocation) =>
        [About(before, EventTypes.ConnectionRevoked, actor, new JsonObject { ["result"] = revocation.Result, ["reason"] = revocation.Reason })];

    public static NewEvent[] Deleted(ConnectionRow before, string actor) =>
        [About(before, EventTypes.ConnectionDeleted, actor, new JsonObject { ["label"] = before.Label })];

    private static NewEvent[] Recovered(ConnectionRow before, string actor) =>
        before.Status == ConnectionStatus.Error
            ? [About(before, EventTypes.ConnectionRecovered, actor, new JsonObject { ["previousError"] = before.LastError?.Code })]
            : [];
}
