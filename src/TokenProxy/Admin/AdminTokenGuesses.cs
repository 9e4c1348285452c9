using System.Globalization;
using System.Threading.RateLimiting;
using TokenProxy.Proxy;

namespace TokenProxy.Admin;

/// <summary>
/// Wrong admin tokens, counted per client address: <see cref="PerMinute"/> in a fixed minute, then every request from
/// that address that presents a token (a Bearer header, the sign-in cookie or the sign-in form) is answered 429 until the
/// minute ends, before its token is compared. <c>Admin:Token</c> need only be 16 characters of anything, so without a
/// limit a weak one could be guessed online at thousands a second. A right token does not count; a request presenting
/// none is told to sign in, as before, and costs nothing. Behind a reverse proxy every client shares its address and so
/// this limit, as they share the portal's (README, Admin access).
/// </summary>
internal sealed class AdminTokenGuesses(ILogger<AdminTokenGuesses> logger) : IDisposable
{
    /// <summary>Wrong tokens an address may present in a minute.</summary>
    public const int PerMinute = 10;

    private readonly PartitionedRateLimiter<HttpContext> _wrong = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? string.Empty, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = PerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>How long until this address may present a token again; null while it may.</summary>
    public TimeSpan? Wait(HttpContext context)
    {
        // Asking for no permit tells whether any is left, without taking one.
        using var probe = _wrong.AttemptAcquire(context, 0);
        return probe.IsAcquired ? null : probe.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
    }

    /// <summary>Counts one wrong token from this address; the one that uses up its minute is logged (once a minute at most).</summary>
    public void Wrong(HttpContext context)
    {
        using var counted = _wrong.AttemptAcquire(context);
        if (counted.IsAcquired && Wait(context) is { } wait)
        {
            Log.AdminTokensLocked(logger, context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address", PerMinute, (int)Math.Ceiling(wait.TotalSeconds));
        }
    }

    /// <summary>The answer while <see cref="Wait"/> is not null: a page for a person's browser, else problem+json.</summary>
    public static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        var text = $"Too many wrong admin tokens came from this address in the last minute. Try again in {seconds} s.";
        if (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return AdminPage.PlainMessage(StatusCodes.Status429TooManyRequests, "Too many attempts", text);
        }

        return new ProblemResult(StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests.", text, retryAfter: wait);
    }

    public void Dispose() => _wrong.Dispose();
}
