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
    TimeProvider time,
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
        bool replayable;
        try
        {
            replayable = await BufferForReplayAsync(context.Request, context.RequestAborted);
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException || context.RequestAborted.IsCancellationRequested)
        {
            // The app's own request failed (too slow, too large, malformed, or the app went away) before anything was
            // sent: nothing to count against the provider.
            await AnswerClientFailureAsync(context, provider.Name, ForwarderError.RequestBodyClient, e);
            return;
        }

        var started = time.GetTimestamp();
        var transformer = new TokenTransformer(provider, lookup.Credential!, path, tokens, replayable);
        await ForwardWithReplayAsync(context, provider, selector, transformer);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var elapsed = time.GetElapsedTime(started);
            Log.Proxied(logger, provider.Name, transformer.Credential.ConnectionId, context.Response.StatusCode, elapsed.TotalMilliseconds);
        }
    }

    private async Task ForwardWithReplayAsync(HttpContext context, ProviderDefinition provider, string selector, TokenTransformer transformer)
    {
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

        if (IsClientFailure(error, context))
        {
            await AnswerClientFailureAsync(context, provider.Name, error, context.Features.Get<IForwarderErrorFeature>()?.Exception);
            return false;
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
    /// YARP tells the two sides apart: reading from the app (or the app closing) is the app's failure, the provider never
    /// failed. "Canceled" means the app's request was aborted, unless it was not (then a timeout cut it).
    /// </summary>
    private static bool IsClientFailure(ForwarderError error, HttpContext context) => error switch
    {
        ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient => true,
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled => context.RequestAborted.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Answers the app, if it is still there and nothing was sent yet; no event, no failure counted for the provider.</summary>
    private async Task AnswerClientFailureAsync(HttpContext context, string provider, ForwarderError error, Exception? exception)
    {
        // YARP hands over Kestrel's exception wrapped in the HttpClient's.
        var cause = exception;
        while (cause is not null and not BadHttpRequestException)
        {
            cause = cause.InnerException;
        }

        var badRequest = cause as BadHttpRequestException;
        Log.ClientFailed(logger, provider, error, badRequest?.StatusCode);
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        context.Response.Clear();
        await ProxyProblems.UnreadableBody(badRequest).ExecuteAsync(context);
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
