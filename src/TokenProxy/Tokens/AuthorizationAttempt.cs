using System.Diagnostics;

namespace TokenProxy.Tokens;

/// <summary>
/// One step of a connect (start, callback, pick): its span, when traced, and the provider and connection it is for, kept
/// here too so that a failure names them in the events feed and the log whether or not the span is sampled.
/// </summary>
internal sealed class AuthorizationAttempt(Activity? activity, string operation, string provider) : IDisposable
{
    public Activity? Activity { get; } = activity;

    public string Operation { get; } = operation;

    public string Provider { get; } = provider;

    public string? ConnectionId { get; private set; }

    public void ForConnection(string connectionId)
    {
        ConnectionId = connectionId;
        TokenInstrumentation.ForConnection(Activity, connectionId);
    }

    public void Dispose() => Activity?.Dispose();
}
