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
            // A database that hangs rather than refuses would hold the probe for the driver's timeouts: past the wait, not ready.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(StoreWait);
            bool storeReady;
            try
            {
                storeReady = await store.PingAsync(bounded.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
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
