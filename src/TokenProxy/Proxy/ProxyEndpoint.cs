using Microsoft.Extensions.Options;
using TokenProxy.Hosting;
using TokenProxy.Providers;
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
    IOptions<TokenProxyOptions> options,
    ILogger<ProxyEndpoint> logger)
{
    /// <summary>Request header naming the connection to use, by label or id. Removed before forwarding.</summary>
    public const string ConnectionHeader = "TokenProxy-Connection";

    public const string DefaultLabel = "default";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    private readonly string _publicBaseUrl = options.Value.PublicBaseUrl;

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

        var selector = context.Request.Headers[ConnectionHeader] is [{ Length: > 0 } named] ? named : DefaultLabel;
        var lookup = await tokens.GetAccessTokenAsync(provider, selector, context.RequestAborted);
        if (!lookup.Succeeded)
        {
            Log.TokenUnavailable(logger, provider.Name, selector, lookup.Failure);
            await ProxyProblems.ForLookup(lookup, provider.Name, selector, _publicBaseUrl).ExecuteAsync(context);
            return;
        }

        // Everything after "/{provider}", as Kestrel decoded and normalized it ("%2F" stays escaped).
        var path = new PathString(context.Request.Path.Value!.Substring(providerName.Length + 1));
        var transformer = new TokenTransformer(provider, lookup.Credential!, path);
        var error = await forwarder.SendAsync(context, provider.ApiBaseUrl.AbsoluteUri, invoker.Invoker, RequestConfig, transformer);
        if (error != ForwarderError.None)
        {
            Log.UpstreamFailed(logger, provider.Name, error);
            if (!context.Response.HasStarted && error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.NoAvailableDestinations)
            {
                await ProxyProblems.UpstreamUnavailable(provider.Name).ExecuteAsync(context);
            }
        }
    }
}
