using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace TokenProxy.Tokens;

/// <summary>
/// Names every <c>TokenProxy:Refresh</c> setting outside its range. Timers, timeouts and the per-endpoint semaphore take
/// these values as they are: a zero <c>PeriodicTimer</c> period or <c>SemaphoreSlim</c> count would crash at run time
/// instead of being named at startup.
/// </summary>
internal sealed class RefreshOptionsValidator : IValidateOptions<RefreshOptions>
{
    private static readonly (PropertyInfo Property, RangeAttribute Range)[] Ranged =
    [
        .. typeof(RefreshOptions).GetProperties()
            .Select(p => (Property: p, Range: p.GetCustomAttribute<RangeAttribute>()))
            .Where(p => p.Range is not null)
            .Select(p => (p.Property, p.Range!)),
    ];

    public ValidateOptionsResult Validate(string? name, RefreshOptions options)
    {
        var errors = new List<string>();
        foreach (var (property, range) in Ranged)
        {
            var value = property.GetValue(options);
            if (!range.IsValid(value))
            {
                // IsValid has converted Minimum and Maximum to the property's type: they read as the value does.
                errors.Add($"{RefreshOptions.SectionName}:{property.Name}: {value} must be between {range.Minimum} and {range.Maximum}.");
            }
        }

        if (options.MaxReplayBodyBytes is < 0 or > RefreshOptions.MaxReplayBodyLimit)
        {
            errors.Add($"{RefreshOptions.SectionName}:MaxReplayBodyBytes: {options.MaxReplayBodyBytes} must be between 0 and {RefreshOptions.MaxReplayBodyLimit} (64 MiB).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
