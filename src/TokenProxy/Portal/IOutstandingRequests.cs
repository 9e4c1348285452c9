namespace TokenProxy.Portal;

/// <summary>
/// The seam between the portal and connect requests: the portal's "Outstanding connection requests" panel lists what
/// this returns, and its Connect button starts a request's flow through it. A portal session proves the workspace, so
/// a request is opened here by its id, without the link's token — but only a request of that workspace.
/// </summary>
internal interface IOutstandingRequests
{
    /// <summary>The workspace's requests that are outstanding now (not completed, cancelled or past their expiry), soonest expiry first.</summary>
    Task<IReadOnlyList<OutstandingRequest>> ListAsync(string workspace, CancellationToken cancellationToken);

    /// <summary>
    /// Starts the flow the link's Connect button starts, for the request <paramref name="requestId"/> of
    /// <paramref name="workspace"/>, in the browser of <paramref name="context"/> (its cookies are set on the response);
    /// the address the browser goes to next (the provider's authorization page). Null when there is no outstanding request
    /// with that id in that workspace: the portal then answers 404, as for an id that never existed.
    /// </summary>
    Task<string?> StartConnectAsync(HttpContext context, string workspace, string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// The portal's Reconnect: a connect request for the shown connection <paramref name="connectionId"/> of
    /// <paramref name="workspace"/>, made on the spot and started at once in this browser, so it runs the link's flow (single
    /// use, same account, landing back in the portal). The address to go to next; null when the connection is not shown
    /// there or cannot be reconnected in a browser.
    /// </summary>
    Task<string?> StartReconnectAsync(HttpContext context, string workspace, string connectionId, CancellationToken cancellationToken);
}
