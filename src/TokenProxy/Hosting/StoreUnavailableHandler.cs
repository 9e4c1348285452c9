using Microsoft.AspNetCore.Diagnostics;
using TokenProxy.Vault;

namespace TokenProxy.Hosting;

/// <summary>
/// The one place where a store outage becomes an answer, for the data plane, the admin API and the pages alike:
/// <c>503</c> problem+json, <c>TokenProxy-Error: store_unavailable</c>, <c>Retry-After</c> — never a 500. Handled here,
/// the exception is not logged per request (ASP.NET Core records no diagnostics for exceptions an
/// <see cref="IExceptionHandler"/> handled); the store logs the outage once when it starts and once when it ends.
/// </summary>
internal sealed class StoreUnavailableHandler : IExceptionHandler
{
    public static ProblemResult Problem { get; } = new(
        StatusCodes.Status503ServiceUnavailable, "store_unavailable", "Token store unavailable.",
        "The proxy's token store cannot be used right now (database unreachable, or its file cannot be written). Try again later.",
        retryAfter: StoreUnavailableException.RetryAfter);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not StoreUnavailableException || httpContext.Response.HasStarted)
        {
            return false;
        }

        await Problem.ExecuteAsync(httpContext);
        return true;
    }
}
