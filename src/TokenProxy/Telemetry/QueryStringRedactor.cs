using System.Diagnostics;
using OpenTelemetry;

namespace TokenProxy.Telemetry;

/// <summary>
/// Removes query strings from the URLs the ASP.NET Core and HttpClient instrumentation record (<c>url.full</c>,
/// <c>url.query</c>) before any exporter sees the span: an app's query string can carry an API key, and the
/// callback's carries the authorization code. Only <c>?*</c> is left, so a reader knows there was one. A request that
/// named a <see cref="ShownUrl"/> (its path carries a token) is recorded with that address instead, and a request for a
/// connect request's link (<c>/connect/{token}</c>) with <c>/connect/*</c>, and for a portal link with <c>/portal/enter/*</c>.
/// </summary>
internal sealed class QueryStringRedactor : BaseProcessor<Activity>
{
    public const string Redacted = "*";

    /// <summary>The paths whose last segment is a secret: <c>/connect/{token}</c>.</summary>
    public const string LinkPathPrefix = "/connect/";

    /// <summary>A portal link's path, whose last segment is its token: <c>/portal/enter/{token}</c>.</summary>
    public const string PortalLinkPathPrefix = "/portal/enter/";

    public override void OnEnd(Activity data)
    {
        if (data.GetCustomProperty(ShownUrl.Property) is string shown)
        {
            data.SetTag("url.full", shown);
            data.SetTag("url.path", null);
        }

        // A connect request's link carries its token in the path: the server span shows where, never the token.
        if (data.GetTagItem("url.path") is string path && path.StartsWith(LinkPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            data.SetTag("url.path", LinkPathPrefix + Redacted);
        }
        else if (data.GetTagItem("url.path") is string portal && portal.StartsWith(PortalLinkPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            data.SetTag("url.path", PortalLinkPathPrefix + Redacted);
        }

        if (data.GetTagItem("url.full") is string full && full.IndexOf('?', StringComparison.Ordinal) is var at and >= 0)
        {
            data.SetTag("url.full", string.Concat(full.AsSpan(0, at + 1), Redacted));
        }

        if (data.GetTagItem("url.query") is string { Length: > 0 })
        {
            data.SetTag("url.query", Redacted);
        }
    }
}
