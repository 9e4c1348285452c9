using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace TokenProxy.Events;

/// <summary>Names every <c>TokenProxy:Events</c> setting outside its range: a zero retention would prune every event as it is written.</summary>
internal sealed class EventsOptionsValidator : IValidateOptions<EventsOptions>
{
    private static readonly (PropertyInfo Property, RangeAttribute Range)[] Ranged =
    [
        .. typeof(EventsOptions).GetProperties()
            .Select(p => (Property: p, Range: p.GetCustomAttribute<RangeAttribute>()))
            .Where(p => p.Range is not null)
            .Select(p => (p.Property, p.Range!)),
    ];

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var errors = new List<string>();
        foreach (var (property, range) in Ranged)
        {
            var value = property.GetValue(options);
            if (!range.IsValid(value))
            {
                errors.Add($"{EventsOptions.SectionName}:{property.Name}: {value} must be between {range.Minimum} and {range.Maximum}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
