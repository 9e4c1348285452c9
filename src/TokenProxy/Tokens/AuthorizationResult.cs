namespace TokenProxy.Tokens;

/// <summary>What a connect or callback step produced: a redirect, a finished connection, or a failure to show the person.</summary>
internal sealed record AuthorizationResult(string? RedirectUrl, string? ConnectionId, int Status, string? Title, string? Message)
{
    public static AuthorizationResult Redirect(string url) => new(url, null, 302, null, null);

    public static AuthorizationResult Connected(string connectionId) => new(null, connectionId, 303, null, null);

    public static AuthorizationResult Failed(int status, string title, string message) => new(null, null, status, title, message);
}
