using System.Diagnostics.CodeAnalysis;

namespace TokenProxy.OAuth;

/// <summary>How a token endpoint call failed, which decides what happens to the connection.</summary>
internal enum TokenFailureKind
{
    /// <summary>
    /// The provider refused the grant or the client (RFC 6749 §5.2 <c>invalid_grant</c>, <c>invalid_client</c>,
    /// <c>unauthorized_client</c>, or a 4xx/200 error body): retrying will not help; the person must reconnect.
    /// </summary>
    Rejected,

    /// <summary>5xx, 408, 429, timeouts, connection failures, redirects, unreadable answers: try again later, keep the tokens.</summary>
    Transient,
}

/// <summary>A token endpoint call's outcome: a <see cref="TokenSet"/>, or a failure that is a value, not an exception.</summary>
internal sealed class TokenResult
{
    private TokenResult(TokenSet? tokens, TokenFailureKind kind, string? error, string? description, TimeSpan? retryAfter, int? status)
    {
        Tokens = tokens;
        Kind = kind;
        Error = error;
        Description = description;
        RetryAfter = retryAfter;
        HttpStatus = status;
    }

    public TokenSet? Tokens { get; }

    public TokenFailureKind Kind { get; }

    /// <summary>The OAuth error code (<c>invalid_grant</c>) or our own (<c>http_503</c>, <c>timeout</c>).</summary>
    public string? Error { get; }

    /// <summary>The provider's <c>error_description</c> or our explanation. Never contains a token.</summary>
    public string? Description { get; }

    public TimeSpan? RetryAfter { get; }

    public int? HttpStatus { get; }

    [MemberNotNullWhen(true, nameof(Tokens))]
    public bool Succeeded => Tokens is not null;

    public static TokenResult Success(TokenSet tokens) => new(tokens, default, null, null, null, 200);

    public static TokenResult Rejected(string error, string? description, int? status = null) =>
        new(null, TokenFailureKind.Rejected, error, description, null, status);

    public static TokenResult Transient(string error, string? description, TimeSpan? retryAfter = null, int? status = null) =>
        new(null, TokenFailureKind.Transient, error, description, retryAfter, status);
}
