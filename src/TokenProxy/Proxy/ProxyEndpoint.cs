using Microsoft.Extensions.Options;
using TokenProxy.Hosting;
using TokenProxy.Providers;
using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using TokenProxy.Tokens;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Proxy;

/// <summary>
/// <c>ANY /{provider}/{**path}</c>: find the provider, get the connection's token (fail closed: no token,
/// no request), forward with YARP's direct forwarder.
/// </summary>
internal sealed class ProxyEndpoint(
    ProviderCatalog providers,
    TokenService tokens,
    IHttpForwarder forwarder,
    ForwarderInvoker invoker,
    ClientPolicy clients,
    Telemetry.EventFeed events,
    IOptions<TokenProxyOptions> options,
    ILogger<ProxyEndpoint> logger)
{
    /// <summary>Request header naming the connection to use, by label or id. Removed before forwarding.</summary>
    public const string ConnectionHeader = "TokenProxy-Connection";

    public const string DefaultLabel = "default";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    private readonly string _publicBaseUrl = options.Value.PublicBaseUrl;
    private readonly long _maxReplayBodyBytes = options.Value.Refresh.MaxReplayBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        var providerName = (string)context.Request.RouteValues["provider"]!;
        if (!providers.TryGet(providerName, out var provider))
        {
            await ProxyProblems.UnknownProvider(providerName).ExecuteAsync(context);
            return;
        }

        // A tunnel would take the request, and its token, wherever the app says.
        if (HttpMethods.IsConnect(context.Request.Method))
        {
            await ProxyProblems.MethodNotAllowed(context.Request.Method).ExecuteAsync(context);
            return;
        }

        // Who is asking is settled before any token is read.
        var (client, refused) = clients.Check(context.Request, provider.Name);
        if (refused is not null)
        {
            await refused.ExecuteAsync(context);
            return;
        }

        var selector = context.Request.Headers[ConnectionHeader] is [{ Length: > 0 } named] ? named : DefaultLabel;
        var lookup = await tokens.GetAccessTokenAsync(provider, selector, client!.Workspace, context.RequestAborted);

        if (!lookup.Succeeded)
        {
            Log.TokenUnavailable(logger, provider.Name, selector, lookup.Failure);
            RecordInjectionFailure(provider.Name, lookup.Failure.ToWire(), lookup.Credential?.ConnectionId);
            await ProxyProblems.ForLookup(lookup, provider.Name, selector, _publicBaseUrl).ExecuteAsync(context);
            return;
        }

        // Everything after "/{provider}", as Kestrel decoded and normalized it ("%2F" stays escaped).
        var path = new PathString(context.Request.Path.Value!.Substring(providerName.Length + 1));
        var replayable = await BufferForReplayAsync(context.Request, context.RequestAborted);
        var transformer = new TokenTransformer(provider, lookup.Credential!, path, tokens, replayable);
        if (!await ForwardAsync(context, provider, transformer))
        {
            return;
        }

        if (transformer.Intercepted)
        {
            // The upstream 401 was held back and nothing reached the app yet.
            context.Response.Clear();
            if (transformer.Failure is { } failure)
            {
                RecordInjectionFailure(provider.Name, failure.Failure.ToWire(), failure.Credential?.ConnectionId);
                await ProxyProblems.ForLookup(failure, provider.Name, selector, _publicBaseUrl).ExecuteAsync(context);
                return;
            }

            // Replay once with the new token: the buffered body is sent again byte for byte.
            Telemetry.Telemetry.Replays.Add(1, new KeyValuePair<string, object?>(Telemetry.Telemetry.Attributes.Provider, provider.Name));
            if (context.Request.Body.CanSeek)
            {
                context.Request.Body.Position = 0;
            }

            await ForwardAsync(context, provider, transformer);
        }
    }

    private void RecordInjectionFailure(string provider, string kind, string? connectionId)
    {
        Telemetry.Telemetry.InjectionFailures.Add(1, new TagList
        {
            { Telemetry.Telemetry.Attributes.Provider, provider },
            { Telemetry.Telemetry.Attributes.Failure, kind },
        });
        events.Record(kind, provider, connectionId, kind, null);
    }

    /// <returns>False when forwarding failed (the failure has been answered).</returns>
    private async Task<bool> ForwardAsync(HttpContext context, ProviderDefinition provider, TokenTransformer transformer)
    {
        var error = await forwarder.SendAsync(context, provider.ApiBaseUrl.AbsoluteUri, invoker.Invoker, RequestConfig, transformer);
        if (error == ForwarderError.None)
        {
            return true;
        }

        Log.UpstreamFailed(logger, provider.Name, error);
        RecordInjectionFailure(provider.Name, "upstream_unavailable", transformer.Credential.ConnectionId);
        if (!context.Response.HasStarted)
        {
            await ProxyProblems.UpstreamUnavailable(provider.Name).ExecuteAsync(context);
        }

        return false;
    }

    /// <summary>
    /// A request can be replayed after a 401 only if its body is known in full: no body, or a Content-Length
    /// within <c>Refresh:MaxReplayBodyBytes</c>, read into memory before the first send. Anything else (larger,
    /// or chunked without a length) streams through untouched and is never buffered.
    /// </summary>
    private async Task<bool> BufferForReplayAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false)
        {
            return true;
        }

        if (request.ContentLength is not { } length || length > _maxReplayBodyBytes)
        {
            return false;
        }

        request.EnableBuffering(bufferThreshold: (int)Math.Max(length, 1), bufferLimit: length);
        await request.Body.DrainAsync(cancellationToken);
        request.Body.Position = 0;
        return true;
    }
}
