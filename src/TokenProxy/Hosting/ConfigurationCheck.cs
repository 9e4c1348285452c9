using System.Text;
using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Portal;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Telemetry;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using TokenProxy.Webhooks;

namespace TokenProxy.Hosting;

/// <summary>
/// Every configuration problem, found before anything is built or mapped: each key of the <c>TokenProxy</c> section
/// checked against the options type of the folder that reads it (<see cref="ConfigurationShape"/>), then each folder's
/// options validated by the validator the server registers, with the unusable keys left out, so one run lists them all.
/// </summary>
internal static class ConfigurationCheck
{
    public const string Heading = "TokenProxy cannot start; fix the configuration:";

    /// <summary>The section every TokenProxy setting is under.</summary>
    public const string SectionName = "TokenProxy";

    /// <summary>Each folder's options type, by the section it binds to; together they read the whole <c>TokenProxy</c> section.</summary>
    public static IReadOnlyList<(string Section, Type Options)> Sections { get; } =
    [
        (PublicUrlOptions.SectionName, typeof(PublicUrlOptions)),
        (DataDirectoryOptions.SectionName, typeof(DataDirectoryOptions)),
        (StoreOptions.SectionName, typeof(StoreOptions)),
        (VaultOptions.SectionName, typeof(VaultOptions)),
        (RefreshOptions.SectionName, typeof(RefreshOptions)),
        (EventsOptions.SectionName, typeof(EventsOptions)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
        (PortalOptions.SectionName, typeof(PortalOptions)),
        (TelemetryOptions.SectionName, typeof(TelemetryOptions)),
        (ClientAccessOptions.SectionName, typeof(ClientAccessOptions)),
        (ProvidersOptions.SectionName, typeof(ProvidersOptions)),
        (WebhooksOptions.SectionName, typeof(WebhooksOptions)),
    ];

    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        var unusable = ConfigurationShape.Check(configuration.GetSection(SectionName), Sections, problems);

        // Unusable keys are left out, with everything under them (a list where one value belongs would make the binder
        // throw), so the validators see the rest.
        var readable = unusable.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddInMemoryCollection(configuration.AsEnumerable()
                .Where(setting => setting.Value is not null && !unusable.Any(key => IsAtOrUnder(setting.Key, key)))).Build();
        var failures = new List<string>();
        Validate(readable, PublicUrlOptions.SectionName, new PublicUrlOptionsValidator(), failures);
        Validate(readable, StoreOptions.SectionName, new StoreOptionsValidator(), failures);
        Validate(readable, VaultOptions.SectionName, new VaultOptionsValidator(), failures);
        Validate(readable, RefreshOptions.SectionName, new RefreshOptionsValidator(), failures);
        Validate(readable, EventsOptions.SectionName, new EventsOptionsValidator(), failures);
        Validate(readable, TelemetryOptions.SectionName, new TelemetryOptionsValidator(), failures);
        Validate(readable, AdminOptions.SectionName, new AdminOptionsValidator(), failures);
        Validate(readable, PortalOptions.SectionName, new PortalOptionsValidator(), failures);
        Validate(readable, ClientAccessOptions.SectionName, new ClientAccessOptionsValidator(), failures);
        Validate(readable, ClientAccessOptions.SectionName, new ListenAddressValidator(readable), failures);
        Validate(readable, ProvidersOptions.SectionName, new ProvidersOptionsValidator(new PresetLibrary()), failures, (o, s) => o.BindOneValueLists(s));
        Validate(readable, WebhooksOptions.SectionName, new WebhooksOptionsValidator(), failures, (o, s) => o.BindEntries(s));

        // A key already reported as unusable reads as missing here; its own problem says enough.
        problems.AddRange(failures.Where(f => !unusable.Any(key => f.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))));
        problems.AddRange(LogLevelProblems(configuration));
        return problems;
    }

    /// <summary>
    /// <c>Logging:LogLevel:{category}</c> and <c>Logging:{provider}:LogLevel:{category}</c> take a level name; the logging
    /// configuration would otherwise throw on the first request to log, with a stack trace.
    /// </summary>
    private static IEnumerable<string> LogLevelProblems(IConfiguration configuration)
    {
        var logging = configuration.GetSection("Logging");
        var levels = logging.GetChildren().Where(s => !s.Key.Equals("LogLevel", StringComparison.OrdinalIgnoreCase))
            .Select(provider => provider.GetSection("LogLevel")).Prepend(logging.GetSection("LogLevel"));
        foreach (var setting in levels.SelectMany(section => section.GetChildren()))
        {
            if (setting.Value is { } value && !Enum.TryParse<LogLevel>(value, ignoreCase: true, out _))
            {
                yield return $"{setting.Path}: '{value}' is not a log level; write one of {string.Join(", ", Enum.GetNames<LogLevel>())}.";
            }
        }
    }

    private static bool IsAtOrUnder(string path, string key) =>
        path.Equals(key, StringComparison.OrdinalIgnoreCase) || path.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The heading and one line per problem, as the server and every command print them. A problem quotes configured names
    /// and values as written; their control, line-separator and text-direction characters are shown escaped
    /// (<see cref="ShownText.IsUnsafe"/>), so a line break in one (a header name in a JSON file) can neither cut its problem
    /// in two nor forge another, and none can reorder how the line reads.
    /// </summary>
    public static string Format(IEnumerable<string> problems) => Heading + string.Concat(problems.Select(p => "\n  - " + Escaped(p)));

    /// <summary>A problem with its unsafe characters shown escaped (see <see cref="Format"/>).</summary>
    public static string Escaped(string problem)
    {
        if (ShownText.IsPlain(problem))
        {
            return problem;
        }

        var escaped = new StringBuilder(problem.Length + 8);
        foreach (var rune in problem.EnumerateRunes())
        {
            escaped.Append(rune.Value switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when ShownText.IsUnsafe(rune) => rune.IsBmp ? $"\\u{rune.Value:x4}" : $"\\U{rune.Value:x8}",
                _ => rune.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static void Validate<TOptions>(
        IConfiguration configuration, string section, IValidateOptions<TOptions> validator, List<string> failures, Action<TOptions, IConfigurationSection>? bindMore = null)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        bindMore?.Invoke(options, configuration.GetSection(section));
        if (validator.Validate(Options.DefaultName, options) is { Failed: true } result)
        {
            failures.AddRange(result.Failures);
        }
    }
}
