using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Hosting;

/// <summary>
/// The one place where a store outage becomes an answer, for the data plane, the admin API and the pages alike:
/// <c>503</c> problem+json, <c>TokenProxy-Error: store_unavailable</c>, <c>Retry-After</c>, <c>Cache-Control: no-store</c>
/// — never a 500, and nothing logged per request: the store logs the outage once when it starts and once when it ends.
/// A middleware rather than an <c>IExceptionHandler</c>: ASP.NET Core's exception handler rewrites the cache headers of
/// whatever it answers, and this answer must carry the same headers as every other problem of the proxy.
/// </summary>
internal sealed class StoreUnavailableMiddleware(RequestDelegate next)
{
    public static ProblemResult Problem { get; } = new(
        StatusCodes.Status503ServiceUnavailable, "store_unavailable", "Token store unavailable.",
        "The proxy's token store cannot be used right now (database unreachable, or its file cannot be written). Try again later.",
        retryAfter: StoreUnavailableException.RetryAfter);

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
            await Problem.ExecuteAsync(context);
        }
    }
}
