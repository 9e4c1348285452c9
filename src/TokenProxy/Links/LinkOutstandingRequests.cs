using TokenProxy.Events;
using TokenProxy.Portal;
using TokenProxy.Providers;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Links;

/// <summary>
/// The portal's outstanding requests: the workspace's connect requests that a person can still use. A portal session
/// proves the workspace, so its Connect button opens a request by id, never by token — and only a request of that
/// workspace, outstanding now, whose provider can still connect; anything else is the portal's 404.
/// </summary>
internal sealed class LinkOutstandingRequests(
    IConnectionStore store, IEventStore events, ProviderCatalog providers, AuthorizationFlow flow, TimeProvider time) : IOutstandingRequests
{
    public async Task<IReadOnlyList<OutstandingRequest>> ListAsync(string workspace, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var requests = await store.ListConnectRequestsAsync(workspace, cancellationToken);
        return [.. requests
            .Where(r => r.StatusAt(now) == ConnectRequestStatus.Outstanding && providers.TryGet(r.Provider, out var p) && p.CanConnect)
            .OrderBy(r => r.ExpiresAt)
            .Select(r =>
            {
                providers.TryGet(r.Provider, out var provider);
                return new OutstandingRequest(r.Id, provider!.DisplayName, r.Label, r.Message, r.ExpiresAt) { NeedsLink = NeedsValues(provider, r) };
            })];
    }

    public async Task<string?> StartConnectAsync(HttpContext context, string workspace, string requestId, CancellationToken cancellationToken)
    {
        if (await store.GetConnectRequestAsync(requestId, cancellationToken) is not { } request
            || request.Workspace != workspace
            || request.StatusAt(time.GetUtcNow()) != ConnectRequestStatus.Outstanding
            || !providers.TryGet(request.Provider, out var provider) || !provider.CanConnect
            || NeedsValues(provider, request))
        {
            return null;
        }

        var result = await flow.StartAsync(provider, request, new Dictionary<string, string>(), context, cancellationToken);
        return result.RedirectUrl;
    }

    public async Task<string?> StartReconnectAsync(HttpContext context, string workspace, string connectionId, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(connectionId, cancellationToken) is not { } row
            || !PortalConnection.IsShown(row, workspace)
            || !PortalConnection.NeedsReconnect(row)
            || !PortalConnection.IsReconnectable(row, providers)
            || !providers.TryGet(row.Provider, out var provider))
        {
            return null;
        }

        // A second press (the person turned back at the provider) starts the reconnect already waiting again, rather than
        // leaving one more outstanding request behind per press.
        var now = time.GetUtcNow();
        if ((await store.ListConnectRequestsAsync(workspace, cancellationToken)).FirstOrDefault(r => r.ConnectionId == row.Id && r.StatusAt(now) == ConnectRequestStatus.Outstanding) is { } waiting)
        {
            return (await flow.StartAsync(provider, waiting, new Dictionary<string, string>(), context, cancellationToken)).RedirectUrl;
        }

        // A request of its own, as the operator's would be: the callback then checks and claims it like any link's, the
        // reconnect keeps the account, and the person lands back here. Its token is never shown: the session is the authority.
        var request = new ConnectRequestRow
        {
            Id = ConnectRequestIds.New(),
            TokenHash = ConnectRequestTokens.Hash(ConnectRequestTokens.New()),
            Workspace = workspace,
            Provider = provider.Name,
            Label = row.Label,
            Scopes = row.Scopes.Count + row.RequiredScopes.Count > 0 ? provider.ReconnectScopes(row.Scopes, row.RequiredScopes) : null,
            EndUser = row.EndUser,
            ConnectionId = row.Id,
            Status = ConnectRequestStatus.Outstanding,
            CreatedAt = now,
            ExpiresAt = now + AuthorizationFlow.Lifetime,
        };
        if (!await store.TryInsertConnectRequestAsync(request, cancellationToken))
        {
            return null;
        }

        await events.AppendAsync([ConnectionEvents.Request(request, EventTypes.ConnectRequestCreated, EventTypes.ActorPortal)], cancellationToken);

        return (await flow.StartAsync(provider, request, new Dictionary<string, string>(), context, cancellationToken)).RedirectUrl;
    }

    /// <summary>A value the operator left for the person to give (a Zendesk subdomain) is asked for on the link's own page only.</summary>
    private static bool NeedsValues(ProviderDefinition provider, ConnectRequestRow request) =>
        request.ConnectionId is null && provider.GivenParameters.Any(p => !request.Parameters.ContainsKey(p.Name));
}
