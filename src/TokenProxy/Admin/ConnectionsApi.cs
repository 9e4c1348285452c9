using Microsoft.Extensions.Options;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>The JSON connection API under <c>/admin/api</c>. Responses never carry a token value.</summary>
internal static class ConnectionsApi
{
    public static RouteGroupBuilder MapConnectionsApi(this RouteGroupBuilder admin)
    {
        var api = admin.MapGroup("/api");
        api.MapGet("/providers", ListProviders);
        api.MapGet("/connections", ListAsync);
        api.MapGet("/connections/{id}", GetAsync);
        api.MapPost("/connections", ImportAsync);
        api.MapPost("/connections/{id}/refresh", RefreshAsync);
        api.MapPost("/connections/{id}/revoke", RevokeAsync);
        api.MapPost("/connections/{id}/test", TestAsync);
        api.MapDelete("/connections/{id}", DeleteAsync);
        api.MapDelete("/connections", ResetEndUserAsync);
        api.MapPost("/vault/rotate-key", RotateKeyAsync);
        api.MapEventsApi();
        api.MapProvidersApi();
        return api;
    }

    private static IEnumerable<ProviderView> ListProviders(
        ProviderCatalog providers, AuthorizationFlow flow, ClientSecretRotation secrets, IOptions<PublicUrlOptions> options) =>
        providers.All.Select(p => ProviderView.From(p, flow, secrets.StatusOf(p), options.Value.PublicBaseUrl));

    private static async Task<IResult> ListAsync(
        string? workspace, string? endUser, IConnectionStore store, ProviderCatalog providers, ConnectionLapses lapses, CancellationToken cancellationToken) =>
        InvalidFilters(workspace, endUser) is { } invalid
            ? invalid
            : TypedResults.Ok((await ListInAsync(store, workspace, endUser, cancellationToken)).Select(r => ConnectionView.From(r, providers, lapses)));

    /// <summary>
    /// A filter no connection could match is refused with the data plane's rule for it: an empty answer would read as
    /// "none there" (or, for a reset, "done") when the id was mistyped.
    /// </summary>
    public static ProblemResult? InvalidFilters(string? workspace, string? endUser)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(workspace) && !ScopeNames.IsWorkspace(workspace))
        {
            errors["workspace"] = [ScopeNames.WorkspaceRule];
        }

        if (!string.IsNullOrEmpty(endUser) && !ScopeNames.IsEndUser(endUser))
        {
            errors["endUser"] = [ScopeNames.EndUserRule];
        }

        return errors.Count > 0 ? AdminProblems.Invalid(errors) : null;
    }

    /// <summary>The connections of <paramref name="workspace"/> and of <paramref name="endUser"/>, each filter applying only when given.</summary>
    public static async Task<IReadOnlyList<ConnectionRow>> ListInAsync(IConnectionStore store, string? workspace, string? endUser, CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken))
            .Where(r => (string.IsNullOrEmpty(workspace) || r.Workspace == workspace) && (string.IsNullOrEmpty(endUser) || r.EndUser?.Id == endUser))];

    /// <summary>
    /// <c>DELETE /admin/api/connections?workspace={w}&amp;endUser={u}</c>: resets one end user's credentials. Each connection
    /// is revoked at its provider as a revoke does, then deleted. Both filters are required: a missing one must never
    /// widen a reset to a whole workspace, or to everyone.
    /// </summary>
    private static async Task<IResult> ResetEndUserAsync(
        string? workspace, string? endUser, IConnectionStore store, ConnectionRevoker revoker, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workspace) || string.IsNullOrEmpty(endUser))
        {
            return AdminProblems.EndUserFiltersRequired();
        }

        if (InvalidFilters(workspace, endUser) is { } invalid)
        {
            return invalid;
        }

        var deleted = new List<string>();
        foreach (var row in await ListInAsync(store, workspace, endUser, cancellationToken))
        {
            if (await revoker.RevokeAndDeleteAsync(row, cancellationToken))
            {
                deleted.Add(row.Id);
            }
        }

        return TypedResults.Ok(new EndUserReset(workspace, endUser, deleted));
    }

    private static async Task<IResult> GetAsync(string id, IConnectionStore store, ProviderCatalog providers, ConnectionLapses lapses, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } row
            ? TypedResults.Ok(ConnectionView.From(row, providers, lapses))
            : AdminProblems.ConnectionNotFound(id);

    private static async Task<IResult> ImportAsync(
        HttpRequest body, IConnectionStore store, SecretSealer sealer, ProviderCatalog providers, TimeProvider time, AdminInstrumentation instrumentation,
        TokenRefresher refresher, ConnectionLapses lapses, CancellationToken cancellationToken)
    {
        var (request, unreadable) = await ReadImportAsync(body, cancellationToken);
        if (request is null)
        {
            return unreadable!;
        }

        var errors = request.Validate(providers);
        if (request.Workspace is { } workspace && !errors.ContainsKey("workspace") && await store.GetWorkspaceAsync(workspace, cancellationToken) is null)
        {
            // A typo must not strand a connection in a workspace nobody sees.
            errors["workspace"] = [$"There is no workspace '{workspace}'. Create it first with POST /admin/api/workspaces."];
        }

        if (errors.Count > 0)
        {
            return AdminProblems.Invalid(errors);
        }

        providers.TryGet(request.Provider!, out var provider);
        if (request.Kind == CredentialKind.ClientCredentials)
        {
            return await ClientCredentialsCreation.CreateAsync(request, provider!, store, sealer, refresher, providers, lapses, time, instrumentation, cancellationToken);
        }

        var id = ConnectionIds.New();
        var now = time.GetUtcNow();
        var row = new ConnectionRow
        {
            Id = id,
            Provider = provider!.Name,
            Label = request.Label ?? "default",
            Workspace = request.Workspace,
            EndUser = request.EndUser?.ToStored(),
            Status = ConnectionStatus.Active,
            Scopes = request.Scopes ?? [],
            CredentialKind = request.Kind,
            TokenType = request.Kind.IsStatic() ? null : "Bearer",
            AccessToken = sealer.Seal(id, SecretSealer.AccessFieldOf(request.Kind), request.Secret),
            RefreshToken = request.RefreshToken is { } refresh ? sealer.Seal(id, SecretSealer.RefreshTokenField, refresh) : null,
            ExpiresAt = request.ExpiresIn is { } seconds ? now.AddSeconds(seconds) : null,
            Parameters = request.Parameters ?? [],
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };

        if (!await store.TryInsertAsync(row, ConnectionEvents.Created(row, EventTypes.ActorAdmin, "import"), cancellationToken))
        {
            return await InsertRefusedAsync(store, row, cancellationToken);
        }

        instrumentation.Imported(row.Provider, id, row.Label);
        return TypedResults.Created($"/admin/api/connections/{id}", ConnectionView.From(row, providers, lapses));
    }

    /// <summary>
    /// Why an insert inserted nothing: its workspace was deleted since it was checked (the store checks it in the insert
    /// itself), else its label is taken.
    /// </summary>
    public static async Task<ProblemResult> InsertRefusedAsync(IConnectionStore store, ConnectionRow row, CancellationToken cancellationToken) =>
        row.Workspace is { } workspace && await store.GetWorkspaceAsync(workspace, cancellationToken) is null
            ? AdminProblems.UnknownWorkspace(workspace)
            : AdminProblems.LabelTaken(row.Provider, row.Label);

    /// <summary>The web defaults (camelCase, names case aside), but a number is a JSON number: <c>"3600"</c> is a wrong type.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions ImportJson = new(System.Text.Json.JsonSerializerOptions.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    /// <summary>
    /// Reads the body here rather than letting the framework bind it: a request that is not JSON would not match this
    /// endpoint at all and would fall through to the data plane's <c>/{provider}/{**path}</c>, a 404 for provider "admin".
    /// </summary>
    private static async Task<(ImportConnectionRequest? Request, ProblemResult? Problem)> ReadImportAsync(HttpRequest body, CancellationToken cancellationToken)
    {
        if (!body.HasJsonContentType())
        {
            return (null, AdminProblems.NotJson());
        }

        System.Text.Json.JsonElement json;
        try
        {
            json = await body.ReadFromJsonAsync<System.Text.Json.JsonElement>(cancellationToken);
        }
        catch (System.Text.Json.JsonException)
        {
            // The exception's message can quote the body, which holds tokens: it goes nowhere.
            return (null, AdminProblems.MalformedJson());
        }
        catch (BadHttpRequestException e)
        {
            return (null, ProxyProblems.UnreadableBody(e));
        }

        if (json.ValueKind != System.Text.Json.JsonValueKind.Object || JsonKeys.Repeat(json))
        {
            return (null, AdminProblems.MalformedJson());
        }

        // A key nothing reads is refused, not dropped: a token answer pasted as is (refresh_token, expires_in) would
        // otherwise store a token that is never refreshed. A value of the wrong type is named by its field.
        var problems = ImportConnectionRequest.UnreadKeys(json);
        ImportConnectionRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize<ImportConnectionRequest>(json, ImportJson);
        }
        catch (System.Text.Json.JsonException e) when (e.Path?.TrimStart('$', '.') is { Length: > 0 } field)
        {
            problems[field] = [$"{field}: a value of the wrong type. {AdminProblems.ImportShape}"];
            return (null, AdminProblems.Invalid(problems));
        }

        return problems.Count > 0 ? (null, AdminProblems.Invalid(problems)) : (request, null);
    }

    private static async Task<IResult> TestAsync(string id, IConnectionStore store, ConnectionTester tester, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } row
            ? TypedResults.Ok(await tester.TestAsync(row, cancellationToken))
            : AdminProblems.ConnectionNotFound(id);

    private static async Task<IResult> RefreshAsync(
        string id, IConnectionStore store, TokenRefresher refresher, ProviderCatalog providers, ConnectionLapses lapses, AdminInstrumentation instrumentation,
        CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } row)
        {
            return AdminProblems.ConnectionNotFound(id);
        }

        if (row.CredentialKind.IsStatic())
        {
            return AdminProblems.NeverRefreshed(id, row.CredentialKind);
        }

        var refreshed = await refresher.RefreshAsync(id, RefreshReason.Manual, seenVersion: null, cancellationToken);
        instrumentation.RefreshRequested(id, refreshed.Failure);
        if (refreshed.Succeeded)
        {
            return TypedResults.Ok(new RefreshResponse("Connection refreshed.", ConnectionView.From(refreshed.Value, providers, lapses)));
        }

        return refreshed.Failure.Kind switch
        {
            FailureKind.NotRefreshable => AdminProblems.NotRefreshable(id, row.RefreshToken is not null, row.CredentialKind),
            FailureKind.NotConnected => AdminProblems.ConnectionNotFound(id),
            FailureKind.Revoked => AdminProblems.Revoked(id),
            FailureKind.Misconfigured => ProxyProblems.ProviderMisconfigured(row.Provider, id, refreshed.Failure.RetryAfter),
            FailureKind.KeyMissing => ProxyProblems.VaultKeyMissing(row.Provider, id),
            _ => AdminProblems.RefreshFailed(refreshed.Failure),
        };
    }

    private static async Task<IResult> RevokeAsync(
        string id, IConnectionStore store, ConnectionRevoker revoker, ProviderCatalog providers, ConnectionLapses lapses, CancellationToken cancellationToken)
    {
        var row = await store.GetAsync(id, cancellationToken);
        if (row is null)
        {
            return AdminProblems.ConnectionNotFound(id);
        }

        if (row.Status == ConnectionStatus.Revoked)
        {
            return AdminProblems.AlreadyRevoked(id);
        }

        return await revoker.RevokeAsync(row, cancellationToken) is ({ } committed, { } revocation)
            ? TypedResults.Ok(new RevokeResponse("Connection revoked.", ConnectionView.From(committed, providers, lapses), revocation))
            : AdminProblems.ConnectionNotFound(id);
    }

    private static async Task<IResult> RotateKeyAsync(VaultKeyRotator rotator, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Ok(await rotator.RotateAsync(cancellationToken));
        }
        catch (InvalidOperationException e)
        {
            return new ProblemResult(StatusCodes.Status409Conflict, "key_rotation_unavailable", "The vault key cannot be rotated here.", e.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(string id, IConnectionStore store, AdminInstrumentation instrumentation, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is not { } row || !await store.DeleteAsync(id, ConnectionEvents.Deleted(row, EventTypes.ActorAdmin), cancellationToken))
        {
            return AdminProblems.ConnectionNotFound(id);
        }

        instrumentation.Deleted(id);
        return TypedResults.NoContent();
    }
}

/// <summary>The answer to an end user's reset: the connections revoked and deleted.</summary>
internal sealed record EndUserReset(string Workspace, string EndUser, IReadOnlyList<string> Deleted);

/// <summary>The answer to a successful refresh-now.</summary>
internal sealed record RefreshResponse(string Message, ConnectionView Connection);

/// <summary>The answer to a revoke: the connection as it now is, and what the provider said.</summary>
internal sealed record RevokeResponse(string Message, ConnectionView Connection, RevocationResult Revocation);
