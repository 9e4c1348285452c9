namespace TokenProxy.Providers;

/// <summary>
/// The response headers in which a provider's API names the scopes a token was granted (<see cref="Granted"/>, optional)
/// and the scopes an operation accepts (<see cref="Accepted"/>); GitHub's <c>X-OAuth-Scopes</c> and
/// <c>X-Accepted-OAuth-Scopes</c>. Each holds a comma-separated list.
/// </summary>
internal sealed record ScopeHeaders(string? Granted, string Accepted);
