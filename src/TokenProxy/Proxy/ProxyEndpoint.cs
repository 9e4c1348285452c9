using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Providers;
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
    ProxyInstrumentation instrumentation,
    TimeProvider time,
    IOptions<PublicUrlOptions> publicUrl,
    IOptions<RefreshOptions> refresh)
{
    /// <summary>Request header naming the connection to use, by label or id. Removed before forwarding.</summary>
    public const string ConnectionHeader = "TokenProxy-Connection";

    public const string DefaultLabel = "default";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = ProviderDefinition.DefaultUpstreamTimeout };

    // One per distinct UpstreamTimeout a provider sets, so that no request allocates one.
    private static readonly ConcurrentDictionary<TimeSpan, ForwarderRequestConfig> RequestConfigs = new();

    private readonly string _publicBaseUrl = publicUrl.Value.PublicBaseUrl;
    private readonly long _maxReplayBodyBytes = refresh.Value.MaxReplayBodyBytes;

    public Task HandleAsync(HttpContext context)
    {
        // On the cache-hit path (a bodyless request, a cached token) preparing completes synchronously, so the only
        // state machine that waits, and is allocated, is the forwarding one: the same as a bare YARP handler's.
        var preparing = PrepareAsync(context);
        return !preparing.IsCompletedSuccessfully ? PrepareThenForwardAsync(context, preparing)
            : preparing.Result is { } transformer ? ForwardAsync(context, transformer)
            : Task.CompletedTask;
    }

    private async Task PrepareThenForwardAsync(HttpContext context, ValueTask<TokenTransformer?> preparing)
    {
        try
        {
            if (await preparing is { } transformer)
            {
                await ForwardAsync(context, transformer);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The app went away: there is no one to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await AnswerUnexpectedAsync(context, e);
        }
    }

    /// <returns>The transformer to forward with, or null when the request has been answered (refused, or no token).</returns>
    private async ValueTask<TokenTransformer?> PrepareAsync(HttpContext context)
    {
        var providerName = (string)context.Request.RouteValues["provider"]!;
        if (!providers.TryGet(providerName, out var provider))
        {
            // A caller without a key (or from a page) learns nothing, not even which provider names exist.
            await (clients.Check(context.Request, providerName).Problem ?? ProxyProblems.UnknownProvider(providerName)).ExecuteAsync(context);
            return null;
        }

        if (ProxyProblems.RefusedMethod(context.Request) is { } refusedMethod)
        {
            await refusedMethod.ExecuteAsync(context);
            return null;
        }

        if (provider.ApiPathTemplated && ConfinedPath.Escapes(context))
        {
            await ProxyProblems.InvalidPath(provider.Name).ExecuteAsync(context);
            return null;
        }

        // Who is asking is settled before any token is read.
        var (client, refused) = clients.Check(context.Request, provider.Name);
        if (refused is not null)
        {
            await refused.ExecuteAsync(context);
            return null;
        }

        if (!TryGetSelector(context.Request, out var selector))
        {
            await ProxyProblems.AmbiguousConnection().ExecuteAsync(context);
            return null;
        }

        if (RequestScope.TryRead(context.Request, client!, out var scope) is { } invalidScope)
        {
            await invalidScope.ExecuteAsync(context);
            return null;
        }

        var lookup = await tokens.GetAccessTokenAsync(provider, selector, scope, context.RequestAborted);

        if (!lookup.Succeeded)
        {
            instrumentation.TokenUnavailable(provider.Name, selector, lookup);
            await ProxyProblems.ForLookup(lookup, provider, selector, scope, _publicBaseUrl).ExecuteAsync(context);
            return null;
        }

        if (lookup.Value.ApiBase is null)
        {
            // The stored parameters no longer resolve to an allowed address (the provider's configuration changed, or the
            // row was altered): nothing is sent.
            instrumentation.DestinationRefused(provider.Name, lookup.Value);
            await ProxyProblems.InvalidDestination(provider.Name, selector).ExecuteAsync(context);
            return null;
        }

        if (context.Request.ContentLength is not (null or 0) || context.Request.Headers.TransferEncoding.Count > 0)
        {
            // The body streams to the API, never held here whole (beyond a small replay copy): its size is for the API to
            // limit, not Kestrel's 30 MB default, which would refuse a large upload the provider accepts.
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }
        }

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
            return null;
        }

        return new TokenTransformer(provider, lookup.Value, tokens, replayable, _publicBaseUrl);
    }

    /// <summary>
    /// The connection a request asks for: <c>TokenProxy-Connection</c> (a label or id), else the default label. Several
    /// lines or an empty value name no single connection (false): never the default in their place.
    /// </summary>
    private static bool TryGetSelector(HttpRequest request, out string selector)
    {
        var named = request.Headers[ConnectionHeader];
        selector = named.Count == 0 ? DefaultLabel : named.ToString();
        return named.Count == 0 || (named.Count == 1 && selector.Length > 0);
    }

    /// <summary>The connection the request asked for, read again for a problem after the 401; <see cref="TryGetSelector"/> accepted it before.</summary>
    private static string SelectorOf(HttpRequest request) => TryGetSelector(request, out var selector) ? selector : DefaultLabel;

    private async Task ForwardAsync(HttpContext context, TokenTransformer transformer)
    {
        var started = time.GetTimestamp();
        try
        {
            var error = await SendAsync(context, transformer);
            if (transformer.UpstreamUnauthorized)
            {
                instrumentation.UpstreamUnauthorized(transformer.Provider.Name);
            }

            if (error != ForwarderError.None)
            {
                await AnswerForwardingFailureAsync(context, transformer, error);
                return;
            }

            while (transformer.Intercepted)
            {
                var provider = transformer.Provider;
                // The upstream 401 was held back and nothing reached the app yet.
                context.Response.Clear();
                if (transformer.Failure is { } failure)
                {
                    instrumentation.NoTokenAfterUnauthorized(provider.Name, failure);
                    // The credential was found in the request's scope, so it names that scope.
                    var scope = new Vault.ConnectionScope(transformer.Credential.Workspace, transformer.Credential.EndUser);
                    await ProxyProblems.ForLookup(failure, provider, SelectorOf(context.Request), scope, _publicBaseUrl).ExecuteAsync(context);
                    return;
                }

                // Replay with the new token: the buffered body is sent again byte for byte.
                instrumentation.Replayed(provider.Name);
                if (context.Request.Body.CanSeek)
                {
                    context.Request.Body.Position = 0;
                }

                transformer.Replaying();
                error = await SendAsync(context, transformer);
                if (error != ForwarderError.None)
                {
                    await AnswerForwardingFailureAsync(context, transformer, error);
                    return;
                }
            }

            instrumentation.Proxied(transformer.Provider.Name, transformer.Credential.ConnectionId, context.Response.StatusCode, started);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The app went away: there is no one to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await AnswerUnexpectedAsync(context, e);
        }
    }

    /// <summary>
    /// A store outage is answered 503 store_unavailable, as everywhere else (StoreUnavailableMiddleware), and not logged
    /// per request. Anything else is a bug, not an expected failure: logged, and answered as a bare problem+json 500 (no
    /// stack trace, nothing from the request). The data plane does this itself instead of through middleware, which
    /// would cost every proxied request a state machine each (see TokenProxyHost.UseErrorAnswers).
    /// </summary>
    private async Task AnswerUnexpectedAsync(HttpContext context, Exception exception)
    {
        context.Response.Clear();
        if (exception is Vault.StoreUnavailableException)
        {
            await ProxyProblems.StoreUnavailable.ExecuteAsync(context);
            return;
        }

        instrumentation.UnexpectedFailure(exception);
        await ProxyProblems.Unexpected().ExecuteAsync(context);
    }

    /// <summary>Not awaited here, so the caller's state machine is the only one waiting for the upstream.</summary>
    private ValueTask<ForwarderError> SendAsync(HttpContext context, TokenTransformer transformer)
    {
        // The invoker's egress guard is the connection's API base's own: it lets the request reach that base and nothing
        // else. The base was resolved and checked when the credential was read; a replay's credential has the same row's.
        var apiBase = transformer.Credential.ApiBase ?? throw new EgressBlockedException();
        var timeout = transformer.Provider.UpstreamTimeout;
        var config = timeout == ProviderDefinition.DefaultUpstreamTimeout
            ? RequestConfig
            : RequestConfigs.GetOrAdd(timeout, static t => new ForwarderRequestConfig { ActivityTimeout = t });
        return forwarder.SendAsync(context, apiBase.AbsoluteUri, invoker.For(apiBase), config, transformer);
    }

    private async Task AnswerForwardingFailureAsync(HttpContext context, TokenTransformer transformer, ForwarderError error)
    {
        var provider = transformer.Provider;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (exception is Vault.StoreUnavailableException outage && !context.Response.HasStarted)
        {
            // The API answered; what failed is the store the transformer needed on the way back (a 401's refresh): not the
            // provider's failure, and answered as every store outage is.
            await AnswerUnexpectedAsync(context, outage);
            return;
        }

        if (IsClientFailure(error, context))
        {
            await AnswerClientFailureAsync(context, provider.Name, error, exception);
            return;
        }

        instrumentation.UpstreamFailed(provider.Name, error, transformer.Credential.ConnectionId, exception);
        if (!context.Response.HasStarted)
        {
            // A request that got no answer in time may well have reached the API (and been carried out): not "unreachable".
            await (error == ForwarderError.RequestTimedOut
                ? ProxyProblems.UpstreamTimeout(provider.Name, provider.UpstreamTimeout)
                : ProxyProblems.UpstreamUnavailable(provider.Name)).ExecuteAsync(context);
        }
    }

    /// <summary>
    /// YARP tells the two sides apart: reading from the app (or the app closing) is the app's failure, the provider never
    /// failed. "Canceled" means the app's request was aborted, unless it was not (then a timeout cut it).
    /// </summary>
    private static bool IsClientFailure(ForwarderError error, HttpContext context) => error switch
    {
        ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient => true,
        // An upgrade the app never asked for (an API answering 101 to a plain request) fails on the app's side of the
        // switch, but the API caused it.
        ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient =>
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpExtendedConnectFeature>()?.IsExtendedConnect == true,
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
        instrumentation.ClientFailed(provider, error, badRequest?.StatusCode);
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
