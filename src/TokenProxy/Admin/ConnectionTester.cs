using System.Globalization;
using System.Net;
using System.Text.Json;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;
using Attributes = TokenProxy.Telemetry.Telemetry.Attributes;

namespace TokenProxy.Admin;

/// <summary>
/// <c>Test connection</c>: one cheap authenticated GET — the provider's <c>TestPath</c> below the connection's API base, else
/// its identity endpoint — through the normal token path (the cache, a due refresh, and on a 401 the refresh-once rule),
/// sent through the data plane's egress guard for that address, never following a redirect (docs/architecture.md §1).
/// </summary>
internal sealed class ConnectionTester(ProviderCatalog providers, TokenService tokens, ForwarderInvoker invoker, TimeProvider time, ILogger<ConnectionTester> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<ConnectionTestResult> TestAsync(ConnectionRow row, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Telemetry.StartOperation("tokenproxy.connection.test");
        activity?.SetTag(Attributes.ConnectionId, row.Id);
        activity?.SetTag(Attributes.Provider, row.Provider);
        var result = await RunAsync(row, cancellationToken);
        activity?.SetTag("http.response.status_code", result.Status);
        if (!result.Ok)
        {
            Telemetry.Telemetry.Fail(activity, result.Error, null);
        }

        Log.ConnectionTested(logger, row.Id, result.Ok, result.Status, result.Error);
        return result;
    }

    private async Task<ConnectionTestResult> RunAsync(ConnectionRow row, CancellationToken cancellationToken)
    {
        if (!providers.TryGet(row.Provider, out var provider))
        {
            return new(false, null, null, null, "unknown_provider", $"The provider '{row.Provider}' is no longer configured: nothing was sent.");
        }

        var lookup = await tokens.GetAccessTokenAsync(provider, row.Id, row.Scope, cancellationToken);
        if (!lookup.Succeeded)
        {
            return NoCredential(provider, lookup.Failure);
        }

        if (Target(provider, row, lookup.Value) is not { } target)
        {
            return new(false, null, null, null, "not_testable",
                $"{provider.DisplayName} has no identity endpoint or TestPath to read, or this connection's address does not resolve: nothing was sent.");
        }

        var started = time.GetTimestamp();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var credential = lookup.Value;
            var response = await SendAsync(provider, target, credential, timeout.Token);
            var refreshed = false;
            if (response.StatusCode == HttpStatusCode.Unauthorized && !credential.Kind.IsStatic()
                && ScopeChallenge.Read(response, provider) is null)
            {
                // The data plane's rule: refresh once if the rejected token is still the stored one, then read again.
                var recovered = await tokens.RecoverFromUnauthorizedAsync(provider, credential, timeout.Token);
                if (recovered is { Succeeded: true } again)
                {
                    response.Dispose();
                    credential = again.Value;
                    refreshed = true;
                    started = time.GetTimestamp();
                    response = await SendAsync(provider, target, credential, timeout.Token);
                }
                else if (recovered is { } failed)
                {
                    response.Dispose();
                    return NoCredential(provider, failed.Failure!, afterUnauthorized: true);
                }
            }

            using (response)
            {
                var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    await tokens.NoteAcceptedAsync(credential, timeout.Token);
                    var account = target.Identity is { } identity ? await AccountAsync(response, identity, timeout.Token) : null;
                    var who = account?.Name ?? account?.Email ?? account?.Id;
                    return new(true, status, latency, account, null,
                        string.Create(CultureInfo.InvariantCulture, $"Works: the provider accepted the credentials ({provider.DisplayName} answered {status} in {latency} ms{(who is null ? "" : $" as {who}")})."));
                }

                return Refused(provider, response, status, latency, refreshed);
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            var latency = (long)time.GetElapsedTime(started).TotalMilliseconds;
            return e is EgressBlockedException
                ? new(false, null, null, null, "invalid_destination", "The address to read is not one this provider allows: nothing was sent.")
                : new(false, null, latency, null, "unreachable", $"The provider could not be reached ({provider.DisplayName} did not answer{(e is OperationCanceledException ? $" within {Timeout.TotalSeconds:0} s" : "")}). Try again later.");
        }
    }

    /// <summary>Where the read goes: the provider's TestPath below the connection's API base, else the identity endpoint.</summary>
    private static TestTarget? Target(ProviderDefinition provider, ConnectionRow row, CachedCredential credential)
    {
        if (provider.TestPath is { } testPath)
        {
            if (credential.ApiBase is not { } apiBase)
            {
                return null;
            }

            var parts = testPath.Split('?', 2);
            var query = parts.Length == 2 ? new QueryString("?" + parts[1]) : QueryString.Empty;
            return new(DestinationAddress.Make(apiBase.AbsoluteUri, parts[0], query), apiBase, null);
        }

        // A templated identity URL is resolved and checked with the connection's parameters, as at the connect.
        return provider.ForConnection(row.Parameters, out _)?.Identity is { Url: { } url } identity
            ? new(url, url, identity)
            : null;
    }

    private async Task<HttpResponseMessage> SendAsync(ProviderDefinition provider, TestTarget target, CachedCredential credential, CancellationToken cancellationToken)
    {
        var url = credential.QueryName is { } name
            ? new UriBuilder(target.Url) { Query = ApiKeyQuery.With(new QueryString(target.Url.Query.Length > 1 ? target.Url.Query : null), name, credential.HeaderValue!).ToUriComponent().TrimStart('?') }.Uri
            : target.Url;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        // GitHub's API refuses requests without a User-Agent.
        request.Headers.UserAgent.ParseAdd("TokenProxy/1.0");
        foreach (var (header, value) in credential.Headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        if (credential.QueryName is null)
        {
            request.Headers.TryAddWithoutValidation(credential.HeaderName, credential.HeaderValue);
        }

        // The data plane's client and guard: only the target's own address, no redirects, no cookies.
        return await invoker.For(target.AllowedBase).SendAsync(request, cancellationToken);
    }

    private static async Task<AccountView?> AccountAsync(HttpResponseMessage response, IdentityEndpoint identity, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await TokenEndpointClient.ReadBoundedAsync(response.Content, cancellationToken));
            var root = document.RootElement;
            var account = new AccountView(IdentityClient.Field(root, identity.IdField),
                ProviderText.Account(IdentityClient.Field(root, identity.EmailField)), ProviderText.Account(IdentityClient.Field(root, identity.NameField)));
            return account is { Id: null, Email: null, Name: null } ? null : account;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ConnectionTestResult Refused(ProviderDefinition provider, HttpResponseMessage response, int status, long latency, bool refreshed)
    {
        var name = provider.DisplayName;
        return status switch
        {
            401 => new(false, status, latency, null, "rejected", refreshed
                ? $"The provider rejected the credentials (401) after a refresh: reconnect."
                : $"The provider rejected the credentials (401), and they cannot be refreshed: reconnect."),
            403 when ScopeChallenge.Read(response, provider) is { Required.Count: > 0 } challenge => new(false, status, latency, null, "forbidden",
                $"{name} accepted the credentials but refused the read (403): it needs the scope {string.Join(' ', challenge.Required)}. Reconnect to grant it."),
            403 => new(false, status, latency, null, "forbidden", $"{name} accepted the credentials but refused the read (403): the account or app lacks access to it."),
            429 => new(false, status, latency, null, "provider_error", $"{name} is limiting requests (429). Try again later."),
            >= 500 => new(false, status, latency, null, "provider_error", $"{name} failed ({status}); the credentials were not judged. Try again later."),
            >= 300 and < 400 => new(false, status, latency, null, "provider_error", $"{name} answered with a redirect ({status}), which is not followed. Check the provider's TestPath or identity endpoint."),
            _ => new(false, status, latency, null, "provider_error", $"{name} answered {status} to the read. Check the provider's TestPath or identity endpoint."),
        };
    }

    private static ConnectionTestResult NoCredential(ProviderDefinition provider, TokenFailure failure, bool afterUnauthorized = false) => failure.Kind switch
    {
        FailureKind.Rejected => new(false, afterUnauthorized ? 401 : null, null, null, "reconnect_required",
            afterUnauthorized
                ? "The provider rejected the credentials (401) and refused to refresh them: reconnect."
                : "The provider rejected the credentials: reconnect."),
        FailureKind.Revoked => new(false, null, null, null, "revoked", "The connection was revoked: reconnect to use it again."),
        FailureKind.Transient => new(false, null, null, null, "refresh_unavailable",
            $"The token has expired and {provider.DisplayName}'s token endpoint could not be reached to renew it. Try again later."),
        FailureKind.NotConnected => new(false, null, null, null, "not_connected", "The connection has no credentials yet: connect it first."),
        _ => new(false, null, null, null, failure.Kind.ToWire(), $"No credentials could be sent ({failure.Kind.ToWire()}): nothing was read."),
    };

    /// <summary>The address read, the base the egress guard allows, and the identity fields when it is the identity endpoint.</summary>
    private sealed record TestTarget(Uri Url, Uri AllowedBase, IdentityEndpoint? Identity);
}
