using BareYarp;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using TokenProxy.Benchmarks.Infrastructure;
using TokenProxy.Hosting;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Benchmarks.Proxy;

/// <summary>
/// Issue 9 (a): what TokenProxy does per request on top of YARP, in isolation, against the least a token-attaching
/// YARP app must do (<see cref="BareYarpShaping"/>, the baseline). <see cref="TokenProxyShaping"/> is everything
/// ProxyEndpoint and TokenTransformer do for a GET on the cache-hit path before and around
/// <c>IHttpForwarder.SendAsync</c>: provider lookup, client policy, connection selection, token lookup,
/// the transformer, header hygiene, token header, egress check. Its Allocated minus the baseline's is the
/// allocation the proxy adds per request.
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const string Destination = "http://127.0.0.1:9/";

    private ProxyHost _host = null!;
    private ProviderCatalog _providers = null!;
    private TokenService _tokens = null!;
    private ClientPolicy _clients = null!;
    private ProviderDefinition _provider = null!;
    private CachedCredential _credential = null!;
    private DefaultHttpContext _context = null!;
    private BareForwarder _bareForwarder = null!;
    private ForwarderInvoker _tokenProxyInvoker = null!;
    private RequestDelegate _barePipeline = null!;
    private RequestDelegate _tokenProxyPipeline = null!;
    private RequestDelegate _tokenProxyEndpoint = null!;
    private Endpoint _dataPlane = null!;
    private Uri _guardedUri = null!;
    private string _bareHeader = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The real application, so TokenService, its cache and the catalog are wired as in production.
        _host = ProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:bench:ApiBaseUrl"] = Destination,
            ["TokenProxy:Refresh:Background"] = "false",
        }, captureLogs: false).GetAwaiter().GetResult();
        _token = "bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        _host.ImportAsync("bench", _token).GetAwaiter().GetResult();
        _providers = _host.Services.GetRequiredService<ProviderCatalog>();
        _tokens = _host.Services.GetRequiredService<TokenService>();
        _clients = _host.Services.GetRequiredService<ClientPolicy>();
        _providers.TryGet("bench", out var provider);
        _provider = provider!;
        // The first lookup reads the store and fills the cache; every one after is the steady state measured here.
        var lookup = _tokens.GetAccessTokenAsync(_provider, ProxyEndpoint.DefaultLabel, ConnectionScope.None, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _credential = lookup.Value ?? throw new InvalidOperationException($"No token: {lookup.Failure?.Kind}");
        _bareHeader = _credential.HeaderValue!;

        _context = NewRequest();

        _guardedUri = new Uri(_provider.ApiBaseUrl!, "items/42?fields=all");
        InProcessUpstream.ReadAsTheHandlerDoes(new HttpRequestMessage(HttpMethod.Get, _guardedUri));

        // Whole requests: each side's real handler over the real forwarder, the upstream answered in-process.
        var forwarder = _host.Services.GetRequiredService<IHttpForwarder>();
        _bareForwarder = new BareForwarder(forwarder, Destination, _token, new InProcessUpstream());
        _barePipeline = _bareForwarder.HandleAsync;
        _tokenProxyInvoker = new ForwarderInvoker(new InProcessUpstream(), NullLogger.Instance);
        var endpoint = ActivatorUtilities.CreateInstance<ProxyEndpoint>(_host.Services, _tokenProxyInvoker);
        var app = new ApplicationBuilder(_host.Services);
        app.UseErrorAnswers();
        app.Run(endpoint.HandleAsync);
        _tokenProxyEndpoint = endpoint.HandleAsync;
        _tokenProxyPipeline = app.Build();
        // Routed as the app routes it: the data-plane endpoint carries its handler as metadata.
        _dataPlane = new Endpoint(null, new EndpointMetadataCollection(endpoint), "TokenProxy data plane");
        if (Serve(_barePipeline) != StatusCodes.Status200OK || Serve(_tokenProxyPipeline) != StatusCodes.Status200OK)
        {
            throw new InvalidOperationException("A whole-request benchmark did not forward.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bareForwarder?.Dispose();
        _tokenProxyInvoker?.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Bare YARP, a whole request: its endpoint handler, <c>IHttpForwarder.SendAsync</c> and the response copy, on an
    /// upstream answered in-process (asynchronously, as a socket would, so every async step pays its state machine).
    /// </summary>
    [Benchmark]
    public int BareYarpRequest() => Serve(_barePipeline);

    /// <summary>
    /// TokenProxy, a whole request on the cache-hit path: the middleware MapTokenProxy puts before every endpoint,
    /// ProxyEndpoint.HandleAsync, the forwarder, the egress guard in the handler chain, the same in-process upstream.
    /// Allocated minus <see cref="BareYarpRequest"/>'s is what the proxy adds per request.
    /// </summary>
    [Benchmark]
    public int TokenProxyRequest() => Serve(_tokenProxyPipeline);

    /// <summary>The same without the middleware: what ProxyEndpoint.HandleAsync alone adds over bare YARP's handler.</summary>
    [Benchmark]
    public int TokenProxyEndpointOnly() => Serve(_tokenProxyEndpoint);

    /// <summary>Bare YARP: path after the provider segment, a transformer, the static header.</summary>
    [Benchmark(Baseline = true)]
    public HttpRequestMessage BareYarpShaping()
    {
        var path = new PathString(_context.Request.Path.Value!.Substring("bench".Length + 1));
        var transformer = new StaticHeaderTransformer(path, _bareHeader);
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        return InProcessUpstream.ReadAsTheHandlerDoes(message);
    }

    /// <summary>TokenProxy: everything ProxyEndpoint.HandleAsync and TokenTransformer do around the forwarder for a cached token.</summary>
    [Benchmark]
    public HttpRequestMessage TokenProxyShaping()
    {
        var request = _context.Request;
        if (!_providers.TryGet("bench", out var provider) || HttpMethods.IsConnect(request.Method))
        {
            throw new InvalidOperationException();
        }

        var (client, refused) = _clients.Check(request, provider.Name);
        var selector = request.Headers[ProxyEndpoint.ConnectionHeader] is [{ Length: > 0 } named] ? named : ProxyEndpoint.DefaultLabel;
        if (refused is not null || RequestScope.TryRead(request, client!, out var scope) is not null)
        {
            throw new InvalidOperationException();
        }

        var lookup = Complete(_tokens.GetAccessTokenAsync(provider, selector, scope, CancellationToken.None));
        if (!lookup.Succeeded)
        {
            throw new InvalidOperationException();
        }

        var transformer = new TokenTransformer(provider, lookup.Value!, _tokens, replayable: true, publicBaseUrl: "http://127.0.0.1:5080");
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, provider.ApiBaseUrl!.AbsoluteUri, CancellationToken.None));
        // The egress guard's check, as the handler chain runs it on every send.
        if (!EgressGuardHandler.IsWithin(message.RequestUri!, provider.ApiBaseUrl!))
        {
            throw new InvalidOperationException();
        }

        return InProcessUpstream.ReadAsTheHandlerDoes(message);
    }

    /// <summary>Connection selection and the in-memory token lookup alone: no store read, no decryption.</summary>
    [Benchmark]
    public bool TokenLookupCacheHit()
    {
        var selector = _context.Request.Headers[ProxyEndpoint.ConnectionHeader] is [{ Length: > 0 } named] ? named : ProxyEndpoint.DefaultLabel;
        return Complete(_tokens.GetAccessTokenAsync(_provider, selector, ConnectionScope.None, CancellationToken.None)).Succeeded;
    }

    /// <summary>The transformer alone: header copy (YARP's base), hygiene, the token header, the egress option.</summary>
    [Benchmark]
    public HttpRequestMessage TokenTransform()
    {
        var transformer = new TokenTransformer(_provider, _credential, _tokens, replayable: true, publicBaseUrl: "http://127.0.0.1:5080");
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        return message;
    }

    /// <summary>Who is asking (origin, fetch metadata, client key): runs before any token is read.</summary>
    [Benchmark]
    public bool ClientCheck() => _clients.Check(_context.Request, "bench").Problem is null;

    /// <summary>Header hygiene alone, on the headers YARP's base transformer copied.</summary>
    [Benchmark]
    public HttpRequestMessage HeaderHygieneClean()
    {
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(HttpTransformer.Default.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        HeaderHygiene.Clean(message, _context.Request.Headers.Connection, _provider.TokenHeader.Name);
        return message;
    }

    /// <summary>YARP's base transformer alone (header copy, destination): what both sides pay, for scale.</summary>
    [Benchmark]
    public HttpRequestMessage YarpBaseTransform()
    {
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(HttpTransformer.Default.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        return message;
    }

    /// <summary>The egress guard's check, on a request the transformer built.</summary>
    [Benchmark]
    public bool EgressCheck() => EgressGuardHandler.IsWithin(_guardedUri, _provider.ApiBaseUrl!);

    /// <summary>Building the header value: once per row version on a cache fill, never per request.</summary>
    [Benchmark]
    public string HeaderValueFormat() => _provider.TokenHeader.Format(_token);

    /// <summary>A request as wrk or a typical HTTP client sends it.</summary>
    private static DefaultHttpContext NewRequest()
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 5080);
        request.Path = "/bench/items/42";
        request.QueryString = new QueryString("?fields=all");
        request.Headers.Accept = "application/json";
        request.Headers.UserAgent = "bench-client/1.0";
        request.Headers.AcceptEncoding = "gzip";
        return context;
    }

    /// <summary>A new request as Kestrel hands it to the endpoint (routed, GET without a body); the same for both sides.</summary>
    private int Serve(RequestDelegate pipeline)
    {
        var context = NewRequest();
        context.Request.RouteValues["provider"] = "bench";
        context.Features.Set<IHttpRequestBodyDetectionFeature>(NoBody.Instance);
        context.SetEndpoint(_dataPlane);
        pipeline(context).GetAwaiter().GetResult();
        return context.Response.StatusCode;
    }

    private sealed class NoBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly NoBody Instance = new();

        public bool CanHaveBody => false;
    }

    private static T Complete<T>(ValueTask<T> pending) =>
        pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();

    private static void Complete(ValueTask pending)
    {
        if (!pending.IsCompletedSuccessfully)
        {
            pending.AsTask().GetAwaiter().GetResult();
        }
    }
}
