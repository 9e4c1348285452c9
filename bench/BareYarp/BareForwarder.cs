using Yarp.ReverseProxy.Forwarder;

namespace BareYarp;

/// <summary>
/// Forwards <c>/{provider}/{**path}</c> to the configured upstream with YARP's direct forwarder, setting a static <c>Authorization: Bearer {--Token}</c>. The HTTP
/// client is TokenProxy's own (ForwarderHandler, YARP's recommended settings), so the only
/// difference the load comparison sees is what TokenProxy does around the forwarder.
/// </summary>
internal sealed class BareForwarder : IDisposable
{
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(100) };

    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly string _destination;
    private readonly string _authorization;

    public BareForwarder(IHttpForwarder forwarder, IConfiguration configuration)
        : this(
            forwarder,
            configuration["Upstream"] ?? throw new InvalidOperationException("Set --Upstream=http://127.0.0.1:<port>/"),
            configuration["Token"] ?? throw new InvalidOperationException("Set --Token=<static token>"),
            TokenProxy.Proxy.ForwarderHandler.Create())
    {
    }

    /// <summary>With another handler under the forwarder (the micro-benchmarks answer in-process); it is disposed with this.</summary>
    internal BareForwarder(IHttpForwarder forwarder, string destination, string token, HttpMessageHandler handler)
    {
        _forwarder = forwarder;
        _destination = destination;
        // Built once, as TokenProxy caches its ready-made header value per connection.
        _authorization = "Bearer " + token;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var provider = (string)context.Request.RouteValues["provider"]!;
        var path = new PathString(context.Request.Path.Value!.Substring(provider.Length + 1));
        var error = await _forwarder.SendAsync(context, _destination, _invoker, RequestConfig, new StaticHeaderTransformer(path, _authorization));
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
        }
    }

    public void Dispose() => _invoker.Dispose();
}
