namespace TokenProxy.Portal;

/// <summary>The <see cref="IOutstandingRequests"/> of a build without connect requests: none to list, none to open.</summary>
internal sealed class NoOutstandingRequests : IOutstandingRequests
{
    public Task<IReadOnlyList<OutstandingRequest>> ListAsync(string workspace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OutstandingRequest>>([]);

    public Task<string?> StartConnectAsync(HttpContext context, string workspace, string requestId, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);
}
