using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using BareYarp;
using TokenProxy.Benchmarks.Infrastructure;
using TokenProxy.Hosting;
using TokenProxy.Proxy;
using Yarp.ReverseProxy.Forwarder;

namespace TokenProxy.Benchmarks.Hosted;

/// <summary>
/// The load comparison's cache-hit request without the network: one side per process (<c>--side bare</c> or
/// <c>--side tokenproxy</c>), each built as its executable builds it (TokenProxy through its own configuration loading
/// and startup, bare YARP as bench/BareYarp's Program.cs with its appsettings.json), served through ASP.NET Core
/// hosting (context, Activity, log scope, diagnostics) and the whole middleware pipeline by a server that listens
/// nowhere, over the in-process upstream. Prints the process CPU time, wall time and bytes allocated per request,
/// per round and their medians. One side per process, because ActivitySources and DiagnosticListeners are
/// process-wide: TokenProxy's listeners would otherwise observe the bare side's requests too. <c>--upstream connection</c>
/// sends through HttpClient's real handler to an in-memory peer (<see cref="ConnectionUpstream"/>) instead of the
/// in-process upstream, so HttpClient's own per-request work is counted too. Arguments of the form
/// <c>--Key=value</c> are TokenProxy configuration (e.g. <c>--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318</c>).
/// </summary>
internal static class HostedMode
{
    private const string Destination = "http://127.0.0.1:9/";

    public static async Task<int> RunAsync(string[] args)
    {
        var side = Option(args, "--side", "tokenproxy");
        var requests = int.Parse(Option(args, "--requests", "100000"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds", "5"), CultureInfo.InvariantCulture);
        var concurrency = int.Parse(Option(args, "--concurrency", "8"), CultureInfo.InvariantCulture);
        // Given which of the forwarder's handlers it stands for (ForwarderHandler.Create or CreateUntraced).
        Func<Func<SocketsHttpHandler>, HttpMessageHandler> upstream = Option(args, "--upstream", "handler") switch
        {
            "handler" => _ => new InProcessUpstream(),
            "connection" => create => ConnectionUpstream.Over(create()),
            var other => throw new ArgumentException($"--upstream {other}: handler or connection"),
        };
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray();
        var token = "bench-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
        var directory = Directory.CreateTempSubdirectory("tokenproxy-hosted-").FullName;
        var server = new CapturingServer();
        try
        {
            await using var app = side switch
            {
                "bare" => await StartBareAsync(server, token, upstream(ForwarderHandler.Create)),
                "tokenproxy" => await StartTokenProxyAsync(
                    server, token, directory, settings, upstream(ForwarderHandler.Create), upstream(ForwarderHandler.CreateUntraced)),
                _ => throw new ArgumentException($"--side {side}: bare or tokenproxy"),
            };

            // Warm-up: tiered compilation and PGO settle before anything is measured.
            await MeasureAsync(server, Math.Max(requests / 2, 1000), concurrency);
            var results = new List<(double Cpu, double Wall, double Bytes)>();
            for (var round = 1; round <= rounds; round++)
            {
                var result = await MeasureAsync(server, requests, concurrency);
                results.Add(result);
                Console.WriteLine(Format($"{side} round {round}", result));
            }

            Console.WriteLine(Format($"{side} median", (Median(results, r => r.Cpu), Median(results, r => r.Wall), Median(results, r => r.Bytes))));
            await app.StopAsync();
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Format(string label, (double Cpu, double Wall, double Bytes) r) =>
        string.Create(CultureInfo.InvariantCulture, $"{label}: {r.Cpu:F2} µs CPU/req, {r.Wall:F2} µs wall/req, {r.Bytes:F0} B/req");

    private static double Median<T>(List<T> values, Func<T, double> of)
    {
        var sorted = values.Select(of).Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>bench/BareYarp's Program.cs and appsettings.json, as the load comparison runs it (forwarder category at Warning).</summary>
    private static async Task<WebApplication> StartBareAsync(CapturingServer server, string token, HttpMessageHandler upstream)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.CreateTempSubdirectory("bareyarp-").FullName });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            ["Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder"] = "Warning",
            ["AllowedHosts"] = "localhost;127.0.0.1;[::1]",
        });
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<IServer>(server);
        var app = builder.Build();
        var forwarder = new BareForwarder(app.Services.GetRequiredService<IHttpForwarder>(), Destination, token, upstream);
        app.Map("/{provider}/{**path}", forwarder.HandleAsync);
        await app.StartAsync();
        return app;
    }

    /// <summary>TokenProxy as its executable starts (configuration files, checks, MapTokenProxy), with the load comparison's settings.</summary>
    private static async Task<WebApplication> StartTokenProxyAsync(
        CapturingServer server, string token, string directory, string[] settings, HttpMessageHandler traced, HttpMessageHandler untraced)
    {
        string[] args =
        [
            $"--TokenProxy:DataDirectory={directory}",
            $"--TokenProxy:Vault:KeyFile={Path.Combine(directory, "keys", "vault.key")}",
            "--TokenProxy:PublicBaseUrl=http://127.0.0.1:5080",
            $"--TokenProxy:Providers:bench:ApiBaseUrl={Destination}",
            "--Logging:LogLevel:Yarp.ReverseProxy.Forwarder.HttpForwarder=Warning",
            .. settings,
        ];
        var (builder, problems) = ConfigurationFiles.Load(args);
        if (builder is null)
        {
            throw new InvalidOperationException(string.Join("; ", problems));
        }

        builder.Services.AddSingleton<IServer>(server);
        builder.Services.AddSingleton(new ForwarderInvoker(traced, untraced, NullLogger.Instance));
        var app = await TokenProxyServer.StartAsync(builder, Console.Error) ?? throw new InvalidOperationException("TokenProxy did not start.");

        var import = Request("POST", "/admin/api/connections", Encoding.UTF8.GetBytes($$"""{"provider":"bench","accessToken":"{{token}}"}"""));
        await server.ServeAsync(import);
        if (import.Get<IHttpResponseFeature>()!.StatusCode != StatusCodes.Status201Created)
        {
            throw new InvalidOperationException($"Importing the token answered {import.Get<IHttpResponseFeature>()!.StatusCode}.");
        }

        return app;
    }

    private static async Task<(double Cpu, double Wall, double Bytes)> MeasureAsync(CapturingServer server, int requests, int concurrency)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var wall = Stopwatch.GetTimestamp();
        var perLoop = requests / concurrency;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perLoop; i++)
            {
                var request = Request("GET", "/bench/items/42", body: null);
                await server.ServeAsync(request);
                if (request.Get<IHttpResponseFeature>()!.StatusCode != StatusCodes.Status200OK)
                {
                    throw new InvalidOperationException($"A proxied request answered {request.Get<IHttpResponseFeature>()!.StatusCode}.");
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(wall);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        process.Refresh();
        var total = perLoop * concurrency;
        return ((process.TotalProcessorTime - cpu).TotalMicroseconds / total, elapsed.TotalMicroseconds * concurrency / total, (double)bytes / total);
    }

    /// <summary>A request as Kestrel hands it to hosting: wrk's (a Host line only) for the data plane, from loopback.</summary>
    private static FeatureCollection Request(string method, string path, byte[]? body)
    {
        var headers = new HeaderDictionary { ["Host"] = "127.0.0.1:5080" };
        var features = new FeatureCollection();
        if (body is not null)
        {
            headers["Content-Type"] = "application/json";
            headers["Content-Length"] = body.Length.ToString(CultureInfo.InvariantCulture);
            headers["TokenProxy-Csrf"] = "1";
        }

        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Method = method,
            Scheme = "http",
            Path = path,
            QueryString = body is null ? "?fields=all" : string.Empty,
            Headers = headers,
            Body = body is null ? Stream.Null : new MemoryStream(body),
        });
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(body is not null));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            ConnectionId = "bench",
            RemoteIpAddress = IPAddress.Loopback,
            LocalIpAddress = IPAddress.Loopback,
            RemotePort = 40000,
            LocalPort = 5080,
        });
        return features;
    }

    private sealed class BodyDetection(bool canHaveBody) : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody { get; } = canHaveBody;
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }
}
