using System.Text.Json.Serialization;

namespace TokenProxy.OAuth;

/// <summary>
/// The provider's answer to a revoke: every token revoked, or the first <see cref="TokenFailure"/>. On the wire (the
/// admin API's <c>revocation</c>) <see cref="Result"/> is <c>revoked</c>, <c>not_supported</c> (no endpoint: local
/// only) or <c>failed</c>, with the failure's description as <see cref="Reason"/>.
/// </summary>
internal sealed record RevocationResult([property: JsonIgnore] TokenFailure? Failure, [property: JsonPropertyOrder(1)] IReadOnlyList<RevokedToken> Tokens)
{
    public string Result => Failure?.Kind switch
    {
        null => "revoked",
        FailureKind.NotSupported => "not_supported",
        _ => "failed",
    };

    public string? Reason => Failure?.Description;

    /// <summary>The failure's code, such as <c>invalid_destination</c> when the connection's address no longer resolves.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error => Failure?.Error;

    /// <summary>Nothing was revoked at the provider, for <paramref name="reason"/>; the tokens go here all the same.</summary>
    public static RevocationResult NotSupported(string reason) => new(new TokenFailure(FailureKind.NotSupported, Description: reason), []);

    /// <summary>
    /// Nothing was sent: the connection's parameters no longer make an address the provider allows (its configuration
    /// changed), for <paramref name="reason"/>. A failure, not "nothing to revoke": the tokens may live on there.
    /// </summary>
    public static RevocationResult Unreachable(string reason) => new(TokenFailure.Rejected("invalid_destination", reason), []);

    /// <summary>
    /// This revocation followed by <paramref name="then"/> (of tokens a refresh stored meanwhile): failed if either failed,
    /// and <paramref name="then"/> alone when this one had nothing to revoke at the provider.
    /// </summary>
    public RevocationResult Then(RevocationResult then) => Result switch
    {
        "not_supported" => then,
        "failed" => this with { Tokens = [.. Tokens, .. then.Tokens] },
        _ => new(then.Result == "failed" ? then.Failure : null, [.. Tokens, .. then.Tokens]),
    };
}
