using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;

namespace TokenProxy.Admin;

/// <summary>The admin API's failures, as problem+json.</summary>
internal static class AdminProblems
{
    public static ProblemResult Forbidden(string detail, string code = "admin_forbidden") =>
        new(StatusCodes.Status403Forbidden, code, "Forbidden.", detail);

    public static ProblemResult NotFound() =>
        new(StatusCodes.Status404NotFound, "not_found", "Not found.", "No admin API endpoint has this address and method; the README's Admin API table lists them.");

    public static ProblemResult ConnectionNotFound(string id) =>
        new(StatusCodes.Status404NotFound, "connection_not_found", "Connection not found.", $"There is no connection '{id}'.");

    public static ProblemResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "invalid_request", "The request is not valid.",
            string.Join(" ", errors.SelectMany(e => e.Value)), new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemResult NotJson(string? shape = null) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type", "The body must be JSON.",
            shape ?? "Send the connection as a JSON object with Content-Type: application/json.");

    public static ProblemResult ProviderNotFound(string name) =>
        new(StatusCodes.Status404NotFound, "provider_not_found", "Provider not found.", $"There is no provider '{name}'.");

    /// <summary>A DELETE of a provider the store does not hold: said apart for a preset, a file's entry and an unknown name.</summary>
    public static ProblemResult ProviderNotStored(string name, ProviderSource? source) =>
        new(StatusCodes.Status404NotFound, "provider_not_stored", "No stored provider.", source switch
        {
            ProviderSource.Preset => $"'{name}' is a built-in preset, not stored through the admin API: there is nothing to delete.",
            ProviderSource.File => $"'{name}' comes from the configuration files, not the admin API: change or remove it there.",
            _ => $"No provider '{name}' was stored through the admin API.",
        });

    /// <summary>The shape of a connection import, said to whoever sent another.</summary>
    public const string ImportShape =
        "Send one JSON object: {provider, label?, workspace?, endUser?, parameters?, credentialKind?} with one credential: accessToken " +
        "(with refreshToken?, expiresIn?, scopes?), apiKey, or username and password; or none, with scopes?, for client credentials. Each field is a string, except expiresIn " +
        "(a number of seconds), scopes (a list of strings) and parameters (an object of strings).";

    /// <summary>The shape of a workspace, said to whoever sent another.</summary>
    public const string WorkspaceShape = "Send one JSON object: {id, displayName?}, each a string.";

    public static ProblemResult MalformedJson(string shape = ImportShape) =>
        new(StatusCodes.Status400BadRequest, "invalid_json", "The body is not valid JSON, or gives a key twice.", shape);

    public static ProblemResult LabelTaken(string provider, string label) =>
        new(StatusCodes.Status409Conflict, "label_taken", "Label already in use.",
            $"{provider} already has a connection labelled '{label}' in that workspace for that end user. Choose another label, or delete that connection first.");

    public static ProblemResult UnknownWorkspace(string id) =>
        new(StatusCodes.Status404NotFound, "workspace_not_found", "Workspace not found.", $"There is no workspace '{id}'. Create it with POST /admin/api/workspaces.");

    public static ProblemResult WorkspaceTaken(string id) =>
        new(StatusCodes.Status409Conflict, "workspace_exists", "Workspace already exists.", $"There is already a workspace '{id}'.");

    public static ProblemResult WorkspaceNotEmpty(string id, int connections) =>
        new(StatusCodes.Status409Conflict, "workspace_not_empty", "The workspace holds connections.",
            $"Workspace '{id}' holds {connections} connection(s). Delete them first, or delete with ?force=true to revoke them at their providers and delete them with the workspace.",
            new Dictionary<string, object?> { ["connections"] = connections });

    public static ProblemResult EndUserFiltersRequired() =>
        new(StatusCodes.Status400BadRequest, "filters_required", "Name one end user.",
            "Resetting credentials deletes every connection of one end user: give both ?workspace={id}&endUser={id}.");

    public static ProblemResult NotRefreshable(string id, bool holdsRefreshToken, CredentialKind kind) =>
        new(StatusCodes.Status409Conflict, "not_refreshable", "This connection cannot be refreshed.", kind == CredentialKind.ClientCredentials
            ? $"Connection '{id}' gets its tokens by the client credentials grant, but its provider no longer can (no ClientId or ClientSecret, or ClientCredentials not in its Auth). Set the provider up, then refresh."
            : holdsRefreshToken
            ? $"Connection '{id}' has a refresh token, but its provider cannot use it (no ClientId, or a token endpoint with a placeholder). Set the provider up, or reconnect it."
            : $"Connection '{id}' holds no refresh token. Reconnect it to get new credentials.");

    public static ProblemResult NeverRefreshed(string id, CredentialKind kind) =>
        new(StatusCodes.Status409Conflict, "not_refreshable", "This connection cannot be refreshed.",
            $"Connection '{id}' holds {(kind == CredentialKind.ApiKey ? "an API key, which is" : "Basic credentials, which are")} never refreshed. Import new ones to replace them.");

    public static ProblemResult Revoked(string id) =>
        new(StatusCodes.Status409Conflict, "revoked", "Connection revoked.", $"Connection '{id}' is revoked. Reconnect it to use it again.");

    /// <summary>docs/architecture.md §2: 502 "Failed to refresh connection. You may need to reconnect."</summary>
    public static ProblemResult RefreshFailed(TokenFailure failure)
    {
        var transient = failure.Kind == FailureKind.Transient;
        return new(StatusCodes.Status502BadGateway, "refresh_failed", "Failed to refresh connection.",
            transient
                ? "Failed to refresh connection. The provider could not be reached; try again later."
                : "Failed to refresh connection. You may need to reconnect.",
            new Dictionary<string, object?> { ["error"] = failure.Error, ["error_description"] = failure.Description, ["transient"] = transient });
    }

    /// <summary>
    /// The token endpoint refused the client credentials grant (RFC 6749 §5.2: <c>invalid_client</c>, <c>unauthorized_client</c>,
    /// <c>invalid_scope</c> …): its error and description, never the secret; nothing was stored.
    /// </summary>
    public static ProblemResult GrantRefused(string provider, TokenFailure failure) =>
        new(StatusCodes.Status400BadRequest, "grant_refused", "The token endpoint refused the client credentials grant.",
            $"{provider} answered {failure.Error}{(failure.Description is { } d ? $": {d}" : string.Empty)}. Check the provider's ClientId, ClientSecret, TokenEndpointAuth and scopes; no connection was created.",
            new Dictionary<string, object?> { ["error"] = failure.Error, ["error_description"] = failure.Description });

    /// <summary>The token endpoint could not be reached or failed (5xx, timeout, circuit open): nothing was stored; try again.</summary>
    public static ProblemResult TokenEndpointUnavailable(string provider, TokenFailure failure) =>
        new(StatusCodes.Status503ServiceUnavailable, "refresh_unavailable", "The token endpoint is unavailable.",
            $"{provider}'s token endpoint did not give a token ({failure.Error}); no connection was created. Try again later.",
            new Dictionary<string, object?> { ["error"] = failure.Error, ["error_description"] = failure.Description, ["transient"] = true },
            failure.RetryAfter ?? TimeSpan.FromSeconds(5));

    /// <summary>The shape of a connect request, said to whoever sent another.</summary>
    public const string ConnectRequestShape =
        "Send one JSON object: {workspace, provider, label?, scopes?, endUser?, parameters?, connection?, expiresIn?, message?}; each a string, except " +
        "scopes (a list of strings), endUser ({id, displayName?, email?}), parameters (an object of strings) and expiresIn (a whole number of seconds).";

    public static ProblemResult ConnectRequestNotFound(string id) =>
        new(StatusCodes.Status404NotFound, "connect_request_not_found", "Connect request not found.", $"There is no connect request '{id}'.");

    public static ProblemResult LabelRequested(string provider, string label, string requestId) =>
        new(StatusCodes.Status409Conflict, "label_requested", "Label already requested.",
            $"Outstanding connect request '{requestId}' already asks for the {provider} connection '{label}' there. Cancel it first, or ask for another label.");

    public static ProblemResult ConnectRequestCompleted(string id) =>
        new(StatusCodes.Status409Conflict, "connect_request_completed", "Connect request already completed.",
            $"Connect request '{id}' was answered: its connection exists. Revoke or delete the connection instead.");

    public static ProblemResult AlreadyRevoked(string id) =>
        new(StatusCodes.Status409Conflict, "already_revoked", "Connection already revoked.", $"Connection '{id}' is already revoked; nothing was changed.");
}
