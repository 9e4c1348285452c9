using TokenProxy.Vault;

namespace TokenProxy.Hosting;

internal static class HealthEndpoints
{
    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the store answers and the vault key is loaded.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        endpoints.MapGet("/readyz", async (IConnectionStore store, VaultKeyRing keys, CancellationToken cancellationToken) =>
        {
            var storeReady = await store.PingAsync(cancellationToken);
            var body = new { status = storeReady && keys.IsLoaded ? "ready" : "not_ready", store = storeReady, vaultKey = keys.IsLoaded };
            return storeReady && keys.IsLoaded ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
