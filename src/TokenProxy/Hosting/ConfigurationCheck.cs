using Microsoft.Extensions.Options;
using TokenProxy.Providers;

namespace TokenProxy.Hosting;

/// <summary>
/// Every configuration problem, found before anything is built or mapped: each key of the <c>TokenProxy</c> section
/// checked against the options it binds to (<see cref="ConfigurationShape"/>), then the options validated as the server
/// would (<see cref="TokenProxyOptionsValidator"/>) with the unusable keys left out, so one run lists them all.
/// </summary>
internal static class ConfigurationCheck
{
    public const string Heading = "TokenProxy cannot start; fix the configuration:";

    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        var section = configuration.GetSection(TokenProxyOptions.SectionName);
        var unusable = ConfigurationShape.Check(section, typeof(TokenProxyOptions), problems);

        // Unusable keys read as absent (a null from a later source hides the value), so the validator sees the rest.
        var readable = unusable.Count == 0
            ? configuration
            : new ConfigurationBuilder().AddConfiguration(configuration, shouldDisposeConfiguration: false)
                .AddInMemoryCollection(unusable.Select(key => new KeyValuePair<string, string?>(key, null))).Build();
        var options = readable.GetSection(TokenProxyOptions.SectionName).Get<TokenProxyOptions>() ?? new TokenProxyOptions();
        var result = new TokenProxyOptionsValidator(new PresetLibrary(), readable).Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            // A key already reported as unusable reads as missing here; its own problem says enough.
            problems.AddRange(result.Failures.Where(f => !unusable.Any(key => f.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))));
        }

        return problems;
    }

    /// <summary>The heading and one line per problem, as the server and every command print them.</summary>
    public static string Format(IEnumerable<string> problems) => Heading + "\n  - " + string.Join("\n  - ", problems);
}
