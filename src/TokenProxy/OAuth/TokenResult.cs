using System.Diagnostics.CodeAnalysis;

namespace TokenProxy.OAuth;

/// <summary>
/// A success value or a <see cref="TokenFailure"/>, in the manner of Duende's <c>TokenResult&lt;T&gt;</c>: tokens from the
/// token endpoint, the connection row a refresh left, the credential a request gets. A struct, so the cache-hit path
/// allocates nothing for it. On failure, <see cref="Value"/> is what there is when there is something (the connection
/// as it now stands), so the answer can name it.
/// </summary>
internal readonly record struct TokenResult<T>(T? Value, TokenFailure? Failure)
    where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    public static TokenResult<T> Success(T value) => new(value, null);

    public static TokenResult<T> Fail(TokenFailure failure, T? value = null) => new(value, failure);

    public static implicit operator TokenResult<T>(TokenFailure failure) => new(null, failure);
}
