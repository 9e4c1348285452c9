using System.Diagnostics;

namespace TokenProxy.Telemetry;

/// <summary>
/// Records <see cref="Telemetry.Operations"/> whatever sampler is configured (<c>OTEL_TRACES_SAMPLER</c> or
/// <c>SamplingRatio</c>): a failed refresh started by an unsampled request, the admin API or the background
/// pass must reach the collector. An ActivitySource takes the most permissive answer of its listeners, so
/// this listener's "record" wins over the SDK sampler's "drop", and the SDK's processors export the span.
/// Every other span is left to the sampler.
/// </summary>
internal sealed class AlwaysRecorded : IHostedService, IDisposable
{
    private readonly ActivityListener _listener = new()
    {
        // By name: the source may be created after this listener, while Telemetry.Source is still being assigned.
        ShouldListenTo = source => source.Name == Telemetry.Name,
        Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            Telemetry.Operations.Contains(options.Name) ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
