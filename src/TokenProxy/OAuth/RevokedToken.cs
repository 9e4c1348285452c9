using System.Text.Json.Serialization;

namespace TokenProxy.OAuth;

/// <summary>What happened to one token at the provider: <c>revoked</c>, or <c>failed</c> with the failure's description.</summary>
internal sealed record RevokedToken(string Type, [property: JsonIgnore] TokenFailure? Failure)
{
    public string Result => Failure is null ? "revoked" : "failed";

    public string? Reason => Failure?.Description;
}
