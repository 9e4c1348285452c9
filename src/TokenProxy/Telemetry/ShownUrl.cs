using System.Diagnostics;

namespace TokenProxy.Telemetry;

/// <summary>
/// The address a span shows for an outgoing request whose own address carries a secret (a token in a revocation path,
/// HubSpot's <c>/refresh-tokens/{token}</c>). The request names it in its options; the HttpClient instrumentation hands
/// it to the span, and <see cref="QueryStringRedactor"/> puts it in <c>url.full</c> before any exporter sees the span.
/// </summary>
internal static class ShownUrl
{
    /// <summary>Set on a request whose address must not be recorded as sent.</summary>
    public static readonly HttpRequestOptionsKey<string> Key = new("TokenProxy.ShownUrl");

    /// <summary>The span's custom property that holds the address to show.</summary>
    public const string Property = "TokenProxy.ShownUrl";

    /// <summary>For <c>EnrichWithHttpRequestMessage</c>: remembers the address to show on the request's span.</summary>
    public static void Enrich(Activity activity, HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Key, out var shown))
        {
            activity.SetCustomProperty(Property, shown);
        }
    }
}
