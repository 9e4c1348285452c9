using System.Globalization;
using Microsoft.Extensions.Options;

namespace TokenProxy.Telemetry;

/// <summary>Names a sampling ratio outside 0 to 1 at startup: the SDK's sampler throws on one (NaN included) when tracing starts.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options) =>
        options.SamplingRatio is >= 0 and <= 1
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{TelemetryOptions.SectionName}:SamplingRatio: {options.SamplingRatio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1 " +
                "(the share of new traces recorded: 0.1 is one in ten).");
}
