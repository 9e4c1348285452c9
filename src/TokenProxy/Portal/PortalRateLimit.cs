using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TokenProxy.Proxy;

namespace TokenProxy.Portal;

/// <summary>
/// The rate limit of every page opened without admin access (<c>/connect/*</c>, and the portal): a fixed window of one
/// minute per client address, <see cref="PortalOptions.PermitsPerMinute"/> requests in it. A link's token has 256 bits, so
/// it cannot be guessed anyway; the limit keeps a guesser from loading the store, and a person is never near it.
/// Behind a reverse proxy every client has the proxy's address: the limit is then shared (see the README).
/// </summary>
internal static class PortalRateLimit
{
    /// <summary>The policy an endpoint names with <c>RequireRateLimiting</c>.</summary>
    public const string PolicyName = "portal";

    public static IServiceCollection AddPortalRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(PolicyName, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<PortalOptions>>().Value.PermitsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? string.Empty, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var http = rejected.HttpContext;
                const string Text = "This address opened too many pages in the last minute. Wait, then try again.";
                // A person's browser opening a page gets a page (these are pages for people outside the admin surface); a
                // script, problem+json.
                if (HttpMethods.IsGet(http.Request.Method) && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return new ValueTask(PortalPage.Message(StatusCodes.Status429TooManyRequests, "Too many requests", Text).ExecuteAsync(http));
                }

                return new ValueTask(new ProblemResult(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests.", Text, retryAfter: retryAfter)
                    .ExecuteAsync(http));
            };
        });
}
