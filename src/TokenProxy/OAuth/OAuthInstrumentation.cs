using System.Diagnostics;
using TokenProxy.Providers;
using TokenProxy.Telemetry;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.OAuth;

/// <summary>
/// What the OAuth folder tells an operator, in one place: the <c>tokenproxy.connect</c> and <c>tokenproxy.callback</c>
/// spans, the events feed entries and the log lines. Never a code, verifier or token.
/// </summary>
internal sealed class OAuthInstrumentation(EventFeed events, ILogger<AuthorizationFlow> logger)
{
    /// <summary>Starts one of the always-recorded authorization spans for <paramref name="provider"/>.</summary>
    public static Activity? Start(string operation, ProviderDefinition provider)
    {
        var activity = Telemetry.Telemetry.StartOperation(operation);
        activity?.SetTag(Attributes.Provider, provider.Name);
        return activity;
    }

    public static void ForConnection(Activity? activity, string connectionId) => activity?.SetTag(Attributes.ConnectionId, connectionId);

    /// <summary>The authorization stopped with <paramref name="title"/> (what the person is shown).</summary>
    public void Failed(Activity? activity, string title)
    {
        Telemetry.Telemetry.Fail(activity, "authorization_failed", title);
        var callback = activity?.OperationName == "tokenproxy.callback";
        var provider = activity?.GetTagItem(Attributes.Provider) as string;
        var connectionId = activity?.GetTagItem(Attributes.ConnectionId) as string;
        events.Record(callback ? "callback_failed" : "connect_failed", provider, connectionId, "authorization_failed", title);
        Log.AuthorizationFailed(logger, provider, callback ? "callback" : "connect", connectionId, title);
    }

    /// <summary>The token endpoint did not exchange the code (RFC 6749 §5.2 error, or unreachable).</summary>
    public void CodeExchangeFailed(Activity? activity, string provider, string connectionId, TokenFailure failure)
    {
        Telemetry.Telemetry.Fail(activity, failure.Error, failure.Description);
        events.Record("callback_failed", provider, connectionId, failure.Error, failure.Description);
        Log.CodeExchangeFailed(logger, provider, connectionId, failure.Error, failure.Kind.ToWire());
    }

    /// <summary>The connection holds its first tokens; <paramref name="account"/> is the account's display name, for the events feed only.</summary>
    public void Connected(Activity? activity, string provider, string connectionId, string? account)
    {
        activity?.SetTag(Attributes.ConnectionStatus, "active");
        events.Record("connected", provider, connectionId, "active", account);
        Log.Connected(logger, provider, connectionId);
    }

    public void RevocationFailed(string provider, string tokenType, TokenFailure failure) =>
        Log.RevocationFailed(logger, provider, tokenType, failure.Error, failure.Kind.ToWire());
}
