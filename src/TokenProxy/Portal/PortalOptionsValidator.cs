using Microsoft.Extensions.Options;

namespace TokenProxy.Portal;

/// <summary>The <c>TokenProxy:Portal</c> checks, every problem at once.</summary>
internal sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Longest = TimeSpan.FromDays(7);

    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        var problems = new List<string>();
        if (options.PermitsPerMinute is < 1 or > PortalOptions.MaxPermitsPerMinute)
        {
            problems.Add($"{PortalOptions.SectionName}:PermitsPerMinute: must be from 1 to {PortalOptions.MaxPermitsPerMinute} (it is {options.PermitsPerMinute}).");
        }

        if (options.SessionLifetime < Shortest || options.SessionLifetime > Longest)
        {
            problems.Add($"{PortalOptions.SectionName}:SessionLifetime: must be from 00:01:00 to 7.00:00:00 (it is {options.SessionLifetime}).");
        }

        if (options.SessionIdleTimeout < Shortest || options.SessionIdleTimeout > options.SessionLifetime)
        {
            problems.Add($"{PortalOptions.SectionName}:SessionIdleTimeout: must be from 00:01:00 to SessionLifetime ({options.SessionLifetime}) (it is {options.SessionIdleTimeout}).");
        }

        return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
