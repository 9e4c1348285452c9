using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Telemetry;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

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
    };

    public static WebApplicationBuilder AddTokenProxy(this WebApplicationBuilder builder)
    {
        // Lowest precedence: appsettings, environment variables and the command line all override these.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = Defaults });

        // ASP.NET Core's "Request starting/finished" lines carry the full URL, and the OAuth callback's URL
        // carries the authorization code. Keep that category quiet whatever Microsoft.AspNetCore is set to;
        // the proxy's own log messages say what matters, without query strings.
        builder.Services.PostConfigure<LoggerFilterOptions>(KeepUrlLoggingQuiet);

        var services = builder.Services;
        services.AddOptions<TokenProxyOptions>().BindConfiguration(TokenProxyOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TokenProxyOptions>, TokenProxyOptionsValidator>();
        services.AddSingleton<DataPaths>();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();

        services.AddTelemetry();
        services.AddProviders();
        services.AddVault();
        services.AddOAuthClient();
        services.AddTokens();
        services.AddProxy();
        services.AddAdmin();
        return builder;
    }

    /// <summary>
    /// Adds the Warning rule for every logging provider named in the rules too: a provider-specific rule
    /// (<c>Logging:Console:LogLevel:Default=Information</c>) would otherwise win over a rule for all providers.
    /// </summary>
    private static void KeepUrlLoggingQuiet(LoggerFilterOptions options)
    {
        const string UrlCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";
        foreach (var provider in options.Rules.Select(r => r.ProviderName).OfType<string>().Distinct().ToList())
        {
            options.Rules.Add(new LoggerFilterRule(provider, UrlCategory, LogLevel.Warning, null));
        }

        options.Rules.Add(new LoggerFilterRule(null, UrlCategory, LogLevel.Warning, null));
    }

    public static WebApplication MapTokenProxy(this WebApplication app)
    {
        app.UseErrorAnswers();
        app.MapHealth();
        app.MapAdmin();
        app.MapProxy();
        return app;
    }

    /// <summary>
    /// Unexpected exceptions become a bare problem+json 500 (no stack trace, nothing from the request), and bodyless
    /// error statuses get a problem body, everywhere but on the data plane: it answers its own failures
    /// (ProxyEndpoint) and passes the provider's responses on as they came. Both middlewares wait on the request,
    /// which would cost every proxied request two state machines and a feature (~550 B; bench/results).
    /// The micro-benchmarks measure this method as it is.
    /// </summary>
    internal static IApplicationBuilder UseErrorAnswers(this IApplicationBuilder app) =>
        app.UseWhen(
            static context => context.GetEndpoint()?.Metadata.GetMetadata<ProxyEndpoint>() is null,
            static branch =>
            {
                branch.UseExceptionHandler();
                branch.UseStatusCodePages();
            });

    /// <summary>Runs until shutdown; a configuration or vault problem is printed, every item of it, with exit code 2.</summary>
    public static async Task<int> RunTokenProxyAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("TokenProxy cannot start; fix the configuration:\n  - " + string.Join("\n  - ", e.Failures));
            return 2;
        }
        catch (VaultStartupException e)
        {
            await Console.Error.WriteLineAsync("TokenProxy cannot start: " + e.Message);
            return 2;
        }
    }
}
