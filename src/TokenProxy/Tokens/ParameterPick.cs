using TokenProxy.OAuth;

namespace TokenProxy.Tokens;

/// <summary>
/// What a connect waiting for a pick keeps, sealed, in its pending record: the code exchange's tokens (with the time
/// they were received, for their expiry) and the values offered for <paramref name="Parameter"/>, the only ones a pick
/// may choose.
/// </summary>
internal sealed record ParameterPick(string Parameter, IReadOnlyList<DiscoveredValue> Offered, TokenSet Tokens, DateTimeOffset ReceivedAt);
