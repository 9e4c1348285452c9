using TokenProxy.Vault;

namespace TokenProxy.Webhooks;

/// <summary>
/// What follows an attempt (docs/architecture.md §12). Unreachable, timed out, 408, 429 and 5xx: again, after an
/// exponential backoff with jitter (1–2 s first, doubling, at most 10 minutes) or the answer's <c>Retry-After</c>, until 24
/// hours after the event, then failed. A redirect (never followed), any other 4xx, or an address webhooks may not reach:
/// failed after one try. Equivalent to Polly.Core's exponential delay generator with jitter, computed here because the
/// next try is a row's time in the store, not a wait in this process.
/// </summary>
internal static class WebhookRetry
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromHours(24);
    public static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The attempt's outcome written to the delivery.</summary>
    public static WebhookAttempt After(WebhookDelivery delivery, DateTimeOffset now, int? status, string? error, bool transient, TimeSpan? retryAfter)
    {
        var attempts = delivery.Attempts + 1;
        if (status is >= 200 and < 300)
        {
            return new WebhookAttempt(delivery.Id, WebhookDelivery.Delivered, attempts, now, status, null, now);
        }

        if (!transient)
        {
            return new WebhookAttempt(delivery.Id, WebhookDelivery.Failed, attempts, now, status, error, now);
        }

        var next = now + (retryAfter is { } asked && asked > TimeSpan.Zero ? asked : Backoff(attempts));
        return next - delivery.CreatedAt > GiveUpAfter
            ? new WebhookAttempt(delivery.Id, WebhookDelivery.Failed, attempts, now, status, $"gave up after {GiveUpAfter.TotalHours:0} hours: {error}", now)
            : new WebhookAttempt(delivery.Id, WebhookDelivery.Pending, attempts, next, status, error, now);
    }

    /// <summary>Whether an answer's status is worth another try.</summary>
    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;

    /// <summary>2 s × 2^(n−1), at most 10 minutes, times a random factor in [0.5, 1): spread out, so receivers coming back are not stampeded.</summary>
    public static TimeSpan Backoff(int attempts)
    {
        var exponential = FirstBackoff.TotalSeconds * Math.Pow(2, Math.Min(attempts - 1, 20));
        var capped = Math.Min(exponential, LongestBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>RFC 9110 §10.2.3: seconds, or an HTTP date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - now,
        _ => null,
    };
}
