using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.Events;
using TokenProxy.Links;
using TokenProxy.OAuth;
using TokenProxy.Portal;
using TokenProxy.Providers;
using TokenProxy.Telemetry;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Webhooks;

namespace TokenProxy.Hosting;

/// <summary>The composition root: one call per feature folder, in the order a request meets them.</summary>
internal static class TokenProxyHost
{
    /// <summary>Loopback only unless configured otherwise: the proxy hands out people's tokens to whoever can reach it.</summary>
    private static readonly Dictionary<string, string?> Defaults = new()
    {
        ["Urls"] = "http://127.0.0.1:5080",
        // Host filtering defeats DNS rebinding: a page on evil.test resolving to 127.0.0.1 still sends Host: evil.test.
        ["AllowedHosts"] = "localhost;127.0.0.1;[::1]",
        // Quiet logs even when no appsettings.json sets them (a copy of the executable without its appsettings.json):
        // without these the proxy would log every request twice.
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        // Named, so that Logging:Console:FormatterOptions (TimestampFormat, SingleLine, UseUtcTimestamp) is read: with no
        // formatter named, .NET's console logger reads only its older options and ignores those.
        ["Logging:Console:FormatterName"] = "simple",
    };

    public static WebApplicationBuilder AddTokenProxy(this WebApplicationBuilder builder)
    {
        // Lowest precedence: appsettings, environment variables and the command line all override these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Defaults });

        // Per-request lines that carry full URLs stay quiet; the proxy's own log messages say what matters,
        // without query strings.
        builder.Services.PostConfigure<LoggerFilterOptions>(KeepUrlLoggingQuiet);

        var services = builder.Services;
        // Each folder binds and validates its own options; the listen addresses are the host's to check.
        services.AddSingleton<IValidateOptions<ClientAccessOptions>, ListenAddressValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();

        services.AddTelemetry(builder.Configuration);
        services.AddProviders();
        services.AddVault();
        services.AddEvents();
        services.AddOAuthClient();
        services.AddTokens();
        services.AddWebhooks();
        services.AddProxy();
        services.AddAdmin();
        services.AddPortal();
        services.AddLinks();
        services.AddHostedService<ProvidersReload>();
        StartupValidation.ListEveryProblem(services);
        return builder;
    }

    /// <summary>
    /// ASP.NET Core's "Request starting/finished" lines carry the full URL, and the OAuth callback's URL carries the
    /// authorization code: that category is off whatever <c>Microsoft.AspNetCore</c> is set to. Off, not Warning:
    /// while it is enabled at any level, hosting starts an Activity and a log scope for every request (~850 B and
    /// about a microsecond with the trace listeners off; bench/results/hot-path-allocations.md), and nothing it writes
    /// above Information is needed here (a failed start is reported by TokenProxyServer, the listening address by the
    /// banner). Routing's matcher logs each request path at Debug, and the path of a connect request's or a portal link is its token:
    /// it is kept at Information, where it writes nothing. Traces do not depend on it: with an exporter, the trace listener starts the server span itself. YARP's
    /// forwarder writes "Proxying to {url}" and "Received HTTP/1.1 response 200" for every request, the URL with its
    /// query string, which can carry an API key: at Error by default, unless a rule names YARP
    /// (<c>Logging:LogLevel:Yarp</c>), which turns them back on. Polly writes "Execution attempt" at Information for every
    /// call through a resilience pipeline (each identity read, revocation, discovery), and each failed try and retry at
    /// Warning, and the last one at Error, each with the exception's stack trace (an unreachable revocation endpoint: six
    /// traces, ~150 lines): off by default, unless a rule names Polly. What failed is said once, in a line of TokenProxy's
    /// own (Warning 1300 for a revocation; a discovery's or metadata read's reason goes to the person who asked).
    /// </summary>
    private static void KeepUrlLoggingQuiet(LoggerFilterOptions options)
    {
        const string UrlCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";
        const string ForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";
        const string MatcherCategory = "Microsoft.AspNetCore.Routing.Matching.DfaMatcher";
        var yarpConfigured = Configured(options, "Yarp");
        AddMinimumRule(options, UrlCategory, LogLevel.None);
        // The route matcher's Debug lines quote the request path, and a portal link's path is its token
        // (docs/architecture.md §9); nothing it writes at Debug is needed to run the proxy.
        AddMinimumRule(options, MatcherCategory, LogLevel.Information);
        if (!yarpConfigured)
        {
            // Error, not Warning: YARP also logs every failed forward at Warning with its stack trace (the provider down,
            // an app's upload stalling), one per request; ProxyEndpoint says it in one line of its own.
            AddMinimumRule(options, ForwarderCategory, LogLevel.Error);
        }

        if (!Configured(options, "Polly"))
        {
            AddMinimumRule(options, "Polly", LogLevel.None);
        }
    }

    private static bool Configured(LoggerFilterOptions options, string prefix) =>
        options.Rules.Any(r => r.CategoryName is { Length: > 0 } c && c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Adds the rule for every logging provider named in the rules too: a provider-specific rule
    /// (<c>Logging:Console:LogLevel:Default=Information</c>) would otherwise win over a rule for all providers.
    /// </summary>
    private static void AddMinimumRule(LoggerFilterOptions options, string category, LogLevel level)
    {
        foreach (var provider in options.Rules.Select(r => r.ProviderName).OfType<string>().Distinct().ToList())
        {
            options.Rules.Add(new LoggerFilterRule(provider, category, level, null));
        }

        options.Rules.Add(new LoggerFilterRule(null, category, level, null));
    }

    public static WebApplication MapTokenProxy(this WebApplication app)
    {
        // Mapping builds the endpoints' services, and each reads its folder's options: validate every folder's first,
        // so a failure lists every problem, not those of the first options read.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        // Unexpected exceptions become a bare problem+json 500 and a store outage 503 store_unavailable, everywhere but
        // on the data plane, which answers both itself.
        app.UseErrorAnswers();
        // Only endpoints that name a policy are limited (the pages opened without admin access); the data plane names none.
        app.UseRateLimiter();
        app.MapHealth();
        // The first thing a person opens is the address the banner printed: send them to the admin pages.
        app.MapGet("/", () => Results.Redirect("/admin/connections")).ExcludeFromDescription();
        app.MapGet("/favicon.ico", AdminPages.Icon).ExcludeFromDescription();
        app.MapAdmin();
        app.MapLinks();
        app.MapPortal();
        app.MapProxy();
        return app;
    }

    /// <summary>
    /// Unexpected exceptions become a bare problem+json 500 (no stack trace, nothing from the request), bodyless
    /// error statuses get a problem body, and a store outage becomes 503 store_unavailable, everywhere but on the data
    /// plane: it answers its own failures (ProxyEndpoint, the store outage with the same answer) and passes the
    /// provider's responses on as they came. Each of these middlewares waits on the request, which would cost every
    /// proxied request three state machines and a feature (~620 B; bench/results). The micro-benchmarks measure this
    /// method as it is.
    /// </summary>
    internal static IApplicationBuilder UseErrorAnswers(this IApplicationBuilder app) =>
        app.UseWhen(
            static context => context.GetEndpoint()?.Metadata.GetMetadata<ProxyEndpoint>() is null,
            static branch =>
            {
                branch.UseExceptionHandler();
                branch.UseStatusCodePages();
                branch.UseMiddleware<StoreUnavailableMiddleware>();
            });
}
