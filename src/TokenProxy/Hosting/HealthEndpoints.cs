using TokenProxy.Vault;

namespace TokenProxy.Hosting;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>/healthz</c>: the process answers. <c>/readyz</c>: the store answers within <see cref="StoreWait"/> and the vault
    /// key is loaded.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        endpoints.MapGet("/readyz", async (IConnectionStore store, VaultKeyRing keys, CancellationToken cancellationToken) =>
        {
            // A database that hangs rather than refuses would hold the probe for the driver's timeouts, which do not all
            // heed cancellation (opening a connection to a frozen server): past the wait, not ready, and the ping is left
            // to end on its own.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(StoreWait);
            bool storeReady;
            try
            {
                storeReady = await store.PingAsync(bounded.Token).WaitAsync(StoreWait, cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                storeReady = false;
            }

            var body = new { status = storeReady && keys.IsLoaded ? "ready" : "not_ready", store = storeReady, vaultKey = keys.IsLoaded };
            return storeReady && keys.IsLoaded ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    /// <summary>How long <c>/readyz</c> waits for the store.</summary>
    public static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(5);
}
