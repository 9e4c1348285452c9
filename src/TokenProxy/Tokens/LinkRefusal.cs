using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// What a person is told when a connect request's link can no longer connect anything (HTTP 410): the same words on the
/// link's page and at the callback. They say what happened to this link only, never anything about another request.
/// </summary>
internal static class LinkRefusal
{
    public const string UsedTitle = "This link was already used";

    public const string Used = "Someone already connected an account with this link, maybe in another browser. Nothing was changed. Ask whoever sent it for a new link if needed.";

    /// <summary>
    /// What a person whose connect from a link (or the portal's Reconnect, which makes one) failed can do: they may have no
    /// admin access, so no admin page.
    /// </summary>
    public const string OpenAgain = "To retry, open the link you were sent again (or, in your portal, press Reconnect again), or contact whoever sent it.";

    public static (string Title, string Message) For(ConnectRequestStatus? status) => status switch
    {
        ConnectRequestStatus.Completed => (UsedTitle, Used),
        ConnectRequestStatus.Cancelled => ("This link was cancelled", "Whoever sent this link withdrew the request. Nothing was changed."),
        ConnectRequestStatus.Expired => ("This link has expired", "This link is too old to be used. Nothing was changed. Ask whoever sent it for a new link."),
        _ => ("This link cannot be used", "This link is no longer valid. Nothing was changed. Ask whoever sent it for a new link."),
    };
}
