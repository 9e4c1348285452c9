using System.Diagnostics;
using TokenProxy.OAuth;
using TokenProxy.Vault;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Admin;

/// <summary>
/// What the admin API tells an operator, in one place: the <c>tokenproxy.revoke</c> span and the log lines of what people
/// changed (their durable events are written with the changes). Never a token or the admin token.
/// </summary>
internal sealed class AdminInstrumentation(ILogger<AdminInstrumentation> logger)
{
    /// <summary>Starts the always-recorded span of a revoke.</summary>
    public static Activity? StartRevoke(string connectionId)
    {
        var activity = Telemetry.Telemetry.StartOperation("tokenproxy.revoke");
        activity?.SetTag(Attributes.ConnectionId, connectionId);
        return activity;
    }

    public static void ForProvider(Activity? activity, string provider) => activity?.SetTag(Attributes.Provider, provider);

    /// <summary>The connection is revoked here; <paramref name="revocation"/> is what the provider said.</summary>
    public void Revoked(Activity? activity, string provider, string connectionId, RevocationResult revocation)
    {
        activity?.SetTag(Attributes.RevokeResult, revocation.Result);
        if (revocation.Result == "failed")
        {
            Telemetry.Telemetry.Fail(activity, "revocation_failed", revocation.Reason);
        }

        Log.ConnectionRevoked(logger, provider, connectionId, revocation.Result);
    }

    public void Imported(string provider, string connectionId, string label) => Log.ConnectionImported(logger, provider, connectionId, label);

    public void Created(string provider, string connectionId, string label) => Log.ClientCredentialsConnectionCreated(logger, provider, connectionId, label);

    /// <summary>A client credentials grant that did not give a first token: the OAuth error code only, never a description or secret.</summary>
    public void CreateFailed(string provider, TokenFailure failure) => Log.ClientCredentialsRefused(logger, provider, failure.Error, failure.Kind.ToWire());

    public void Deleted(string connectionId) => Log.ConnectionDeleted(logger, connectionId);

    /// <summary>A refresh-now finished: refreshed, or the failure's wire name.</summary>
    public void RefreshRequested(string connectionId, TokenFailure? failure)
    {
        var outcome = failure?.Kind.ToWire() ?? "refreshed";
        Log.RefreshRequested(logger, connectionId, outcome);
    }

    /// <summary>A connect request was created: its id, never its link's token.</summary>
    public void ConnectRequestCreated(ConnectRequestRow request) =>
        Log.ConnectRequestCreated(logger, request.Id, request.Workspace, request.Provider, request.ExpiresAt);

    public void ConnectRequestCancelled(string requestId) => Log.ConnectRequestCancelled(logger, requestId);
}
