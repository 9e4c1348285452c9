using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace TokenProxy.Benchmarks.Hosted;

/// <summary>
/// A server that listens nowhere: it keeps the application ASP.NET Core hosting hands it, so requests can be served
/// in-process through everything Kestrel would call (the hosting layer's context, Activity, log scope and
/// diagnostics, then the app's whole middleware pipeline) without sockets.
/// </summary>
internal sealed class CapturingServer : IServer
{
    private Func<IFeatureCollection, Task>? _serve;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>Serves one request given as its features, as Kestrel does: create the context, process it, dispose it.</summary>
    public Task ServeAsync(IFeatureCollection request) =>
        (_serve ?? throw new InvalidOperationException("The application has not started.")).Invoke(request);

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _serve = request => ServeAsync(application, request);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    private static async Task ServeAsync<TContext>(IHttpApplication<TContext> application, IFeatureCollection request)
        where TContext : notnull
    {
        var context = application.CreateContext(request);
        try
        {
            await application.ProcessRequestAsync(context);
        }
        catch (Exception e)
        {
            application.DisposeContext(context, e);
            throw;
        }

        application.DisposeContext(context, null);
    }
}
