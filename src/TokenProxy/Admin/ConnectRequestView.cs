using System.Text.Json.Serialization;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// A connect request as the admin API shows it. <see cref="Url"/>, which carries the link's token, is in the answer that
/// creates the request and nowhere else: the proxy keeps only the token's hash, so it could not show it again.
/// </summary>
internal sealed record ConnectRequestView(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url,
    string Status,
    string Workspace,
    string Provider,
    string? Label,
    IReadOnlyList<string>? Scopes,
    EndUserView? EndUser,
    IReadOnlyDictionary<string, string> Parameters,
    string? Connection,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CancelledAt,
    string? ResultConnection)
{
    public static ConnectRequestView From(ConnectRequestRow row, DateTimeOffset now, string? url = null) => new(
        row.Id, url, row.StatusAt(now).ToWire(), row.Workspace, row.Provider, row.Label, row.Scopes, EndUserView.From(row.EndUser), row.Parameters,
        row.ConnectionId, row.Message, row.CreatedAt, row.ExpiresAt, row.CompletedAt, row.CancelledAt, row.ResultConnectionId);
}
