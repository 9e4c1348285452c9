using BareYarp;
using BenchmarkDotNet.Attributes;
using TokenProxy.Benchmarks.Infrastructure;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;

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

    private BenchProxyHost _host = null!;
    private ProviderCatalog _providers = null!;
    private TokenService _tokens = null!;
    private ClientPolicy _clients = null!;
    private ProviderDefinition _provider = null!;
    private CachedCredential _credential = null!;
    private DefaultHttpContext _context = null!;
    private string _bareHeader = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The real application, so TokenService, its cache and the catalog are wired as in production.
        _host = BenchProxyHost.StartAsync(new Dictionary<string, string?>
        {
            ["TokenProxy:Providers:bench:ApiBaseUrl"] = Destination,
            ["TokenProxy:Refresh:Background"] = "false",
        }).GetAwaiter().GetResult();
        _token = "bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        _host.ImportAsync("bench", _token).GetAwaiter().GetResult();
        _providers = _host.Services.GetRequiredService<ProviderCatalog>();
        _tokens = _host.Services.GetRequiredService<TokenService>();
        _clients = _host.Services.GetRequiredService<ClientPolicy>();
        _providers.TryGet("bench", out var provider);
        _provider = provider!;
        // The first lookup reads the store and fills the cache; every one after is the steady state measured here.
        var lookup = _tokens.GetAccessTokenAsync(_provider, ProxyEndpoint.DefaultLabel, workspace: null, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _credential = lookup.Credential ?? throw new InvalidOperationException($"No token: {lookup.Failure}");
        _bareHeader = _credential.HeaderValue!;

        // A request as wrk or a typical HTTP client sends it.
        _context = new DefaultHttpContext();
        var request = _context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 5080);
        request.Path = "/bench/items/42";
        request.QueryString = new QueryString("?fields=all");
        request.Headers.Accept = "application/json";
        request.Headers.UserAgent = "bench-client/1.0";
        request.Headers.AcceptEncoding = "gzip";
    }

    [GlobalCleanup]
    public void Cleanup() => _host.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Bare YARP: path after the provider segment, a transformer, the static header.</summary>
    [Benchmark(Baseline = true)]
    public HttpRequestMessage BareYarpShaping()
    {
        var path = new PathString(_context.Request.Path.Value!.Substring("bench".Length + 1));
        var transformer = new StaticHeaderTransformer(path, _bareHeader);
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        return ReadAsTheHandlerDoes(message);
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
        var lookup = Complete(_tokens.GetAccessTokenAsync(provider, selector, workspace: null, CancellationToken.None));
        if (refused is not null || !lookup.Succeeded || (client!.Workspace is { } workspace && lookup.Credential!.Workspace != workspace))
        {
            throw new InvalidOperationException();
        }

        var path = new PathString(request.Path.Value!.Substring(provider.Name.Length + 1));
        var transformer = new TokenTransformer(provider, lookup.Credential!, path, _tokens, replayable: true);
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, provider.ApiBaseUrl.AbsoluteUri, CancellationToken.None));
        // The egress guard's check, as the handler chain runs it on every send.
        if (!EgressGuardHandler.IsWithin(message.RequestUri!, provider.ApiBaseUrl))
        {
            throw new InvalidOperationException();
        }

        return ReadAsTheHandlerDoes(message);
    }

    /// <summary>Connection selection and the in-memory token lookup alone: no store read, no decryption.</summary>
    [Benchmark]
    public bool TokenLookupCacheHit()
    {
        var selector = _context.Request.Headers[ProxyEndpoint.ConnectionHeader] is [{ Length: > 0 } named] ? named : ProxyEndpoint.DefaultLabel;
        return Complete(_tokens.GetAccessTokenAsync(_provider, selector, workspace: null, CancellationToken.None)).Succeeded;
    }

    /// <summary>The transformer alone: header copy (YARP's base), hygiene, the token header, the egress option.</summary>
    [Benchmark]
    public HttpRequestMessage TokenTransform()
    {
        var transformer = new TokenTransformer(_provider, _credential, new PathString("/items/42"), _tokens, replayable: true);
        var message = new HttpRequestMessage(HttpMethod.Get, (Uri?)null);
        Complete(transformer.TransformRequestAsync(_context, message, Destination, CancellationToken.None));
        return message;
    }

    /// <summary>Building the header value: once per row version on a cache fill, never per request.</summary>
    [Benchmark]
    public string HeaderValueFormat() => _provider.TokenHeader.Format(_token);

    /// <summary>
    /// SocketsHttpHandler reads these on every send, which builds the Uri's lazily parsed parts; doing it in both
    /// benchmarks counts those bytes on both sides, so the difference is only what TokenProxy adds.
    /// </summary>
    private static HttpRequestMessage ReadAsTheHandlerDoes(HttpRequestMessage message)
    {
        _ = message.RequestUri!.IdnHost;
        _ = message.RequestUri.PathAndQuery;
        return message;
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
