using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>POST /admin/api/connections</c> with no credential in the body, for a provider that offers <c>ClientCredentials</c>:
/// the proxy runs the grant (RFC 6749 §4.4) and stores the connection only once the first token came back, so a refused
/// client leaves nothing behind and its problem carries the provider's OAuth error.
/// </summary>
internal static class ClientCredentialsCreation
{
    public static async Task<IResult> CreateAsync(
        ImportConnectionRequest request, ProviderDefinition provider, IConnectionStore store, SecretSealer sealer, TokenRefresher refresher,
        ProviderCatalog providers, ConnectionLapses lapses, TimeProvider time, AdminInstrumentation instrumentation, CancellationToken cancellationToken)
    {
        var label = request.Label ?? "default";
        // A label in use is answered before the provider mints a token for nothing (the insert below still decides a race).
        var scope = new ConnectionScope(request.Workspace, request.EndUser?.Id);
        if (await store.FindAsync(provider.Name, scope, label, cancellationToken) is { } existing && existing.Label == label)
        {
            return AdminProblems.LabelTaken(provider.Name, label);
        }

        // A templated token endpoint (an Okta domain) is resolved from the given parameters and checked against AllowedHosts
        // before the client secret goes anywhere; the request's validation refused values that do not resolve.
        var parameters = request.Parameters ?? [];
        if (provider.ForConnection(parameters, out var refused) is not { } resolved)
        {
            return AdminProblems.Invalid(new Dictionary<string, string[]> { [$"parameters.{refused.Parameter?.Name}"] = [$"{refused.Describe()}."] });
        }

        var requested = request.Scopes ?? [];
        var obtained = await refresher.RequestClientCredentialsAsync(resolved, requested, cancellationToken);
        if (!obtained.Succeeded)
        {
            instrumentation.CreateFailed(provider.Name, obtained.Failure);
            return obtained.Failure.Kind switch
            {
                FailureKind.Rejected => AdminProblems.GrantRefused(provider.Name, obtained.Failure),
                FailureKind.Misconfigured => ProxyProblems.ProviderMisconfigured(provider.Name, null, obtained.Failure.RetryAfter),
                _ => AdminProblems.TokenEndpointUnavailable(provider.Name, obtained.Failure),
            };
        }

        var id = ConnectionIds.New();
        var now = time.GetUtcNow();
        var row = new ConnectionRow
        {
            Id = id,
            Provider = provider.Name,
            Label = label,
            Workspace = request.Workspace,
            EndUser = request.EndUser?.ToStored(),
            Status = ConnectionStatus.Active,
            Scopes = requested.Length > 0 ? requested : provider.Scopes,
            Parameters = parameters,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        row = obtained.Value.ApplyTo(row, sealer, now, reason: null) with { CredentialKind = CredentialKind.ClientCredentials };

        if (!await store.TryInsertAsync(row, ConnectionEvents.Created(row, EventTypes.ActorAdmin, "client_credentials"), cancellationToken))
        {
            return await ConnectionsApi.InsertRefusedAsync(store, row, cancellationToken);
        }

        instrumentation.Created(row.Provider, id, row.Label);
        return TypedResults.Created($"/admin/api/connections/{id}", ConnectionView.From(row, providers, lapses));
    }
}
