namespace TokenProxy.OAuth;

/// <summary>
/// An expected failure, as a value: its <see cref="FailureKind"/> decides what happens to the connection and which
/// problem the app gets; the provider's OAuth error and description travel with it where there is one.
/// </summary>
/// <param name="Kind">What happened, which decides what happens next.</param>
/// <param name="Error">The OAuth error code (<c>invalid_grant</c>) or our own (<c>http_503</c>, <c>timeout</c>); null for a plain kind.</param>
/// <param name="Description">The provider's <c>error_description</c> or our explanation. Never contains a token.</param>
/// <param name="RetryAfter">When trying again makes sense, if the provider said (RFC 9110 §9.2.3) or we know.</param>
/// <param name="HttpStatus">The token endpoint's status code, when it answered.</param>
internal sealed record TokenFailure(FailureKind Kind, string? Error = null, string? Description = null, TimeSpan? RetryAfter = null, int? HttpStatus = null)
{
    /// <summary>
    /// The caller stopped waiting but the refresh goes on (a slow token endpoint): nothing failed yet, so the next request
    /// joins that refresh rather than being turned away by a cool-down.
    /// </summary>
    public bool RefreshGoesOn { get; init; }

    // One instance per kind for the failures that say nothing more: answering them allocates nothing.
    private static readonly TokenFailure[] Plain = [.. Enum.GetValues<FailureKind>().Select(kind => new TokenFailure(kind))];

    /// <summary>A failure of <paramref name="kind"/> with no code or description (shared instance).</summary>
    public static TokenFailure Of(FailureKind kind) => Plain[(int)kind];

    public static TokenFailure Rejected(string error, string? description, int? status = null) =>
        new(FailureKind.Rejected, error, description, HttpStatus: status);

    public static TokenFailure Transient(string error, string? description, TimeSpan? retryAfter = null, int? status = null) =>
        new(FailureKind.Transient, error, description, retryAfter, status);
}
