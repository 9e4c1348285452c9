using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Hosting;

/// <summary>
/// Where a store outage becomes an answer for the admin API and the pages (the data plane gives the same
/// <see cref="ProxyProblems.StoreUnavailable"/> itself, so that no proxied request waits in one more middleware;
/// TokenProxyHost.UseErrorAnswers):
/// <c>503</c> problem+json, <c>TokenProxy-Error: store_unavailable</c>, <c>Retry-After</c>, <c>Cache-Control: no-store</c>
/// — never a 500, and nothing logged per request: the store logs the outage once when it starts and once when it ends.
/// A middleware rather than an <c>IExceptionHandler</c>: ASP.NET Core's exception handler rewrites the cache headers of
/// whatever it answers, and this answer must carry the same headers as every other problem of the proxy.
/// </summary>
internal sealed class StoreUnavailableMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // The hot path completes synchronously or not at all through here: no extra async frame per request.
        var handled = next(context);
        return handled.IsCompletedSuccessfully ? Task.CompletedTask : AnswerOutageAsync(handled, context);
    }

    private static async Task AnswerOutageAsync(Task handled, HttpContext context)
    {
        try
        {
            await handled;
        }
        catch (StoreUnavailableException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ProxyProblems.StoreUnavailable.ExecuteAsync(context);
        }
    }
}
