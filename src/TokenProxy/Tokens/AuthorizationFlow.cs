using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// The authorization code grant (RFC 6749 §4.1) with PKCE S256 (RFC 7636) and the RFC 9700 defences:
/// a random single-use <c>state</c> that expires, bound to the browser that started the flow by a cookie;
/// one redirect URI per provider and an <c>iss</c> check (RFC 9207) against mix-up; the code exchanged
/// exactly once with the identical <c>redirect_uri</c>.
/// </summary>
internal sealed partial class AuthorizationFlow(
    IConnectionStore store,
    SecretSealer sealer,
    ProviderEndpoints endpoints,
    TokenEndpointClient tokenClient,
    IdentityClient identity,
    DiscoveryClient discovery,
    RevocationClient revocations,
    TimeProvider time,
    TokenInstrumentation instrumentation,
    IOptions<PublicUrlOptions> options)
{
    /// <summary>How long a started authorization stays valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Where an admin starts a failed connect again; a flow from a link says <see cref="LinkRefusal.OpenAgain"/> instead.</summary>
    private const string StartAgainFromConnections = "Start again from the connections page.";

    /// <summary>Where to start again when the flow cannot be told: no admin page is named to a person who may hold a link only.</summary>
    private const string StartAgainAnywhere = "Start again where you began: open the link you were sent again, or connect again from TokenProxy.";

    private const string VerifierField = "code_verifier";
    private const string CookiePrefix = "tokenproxy_auth_";

    private readonly string _publicBaseUrl = options.Value.PublicBaseUrl.TrimEnd('/');

    /// <summary>The redirect URI of a provider: one per provider, so a code can only come back for the provider it was issued by.</summary>
    public string RedirectUri(ProviderDefinition provider) => $"{_publicBaseUrl}/admin/callback/{provider.Name}";

    /// <summary>
    /// Starts a connect. <paramref name="given"/> holds values for the provider's given parameters (<c>?subdomain=acme</c>):
    /// a connection that exists keeps its stored values; a value missing or refused makes the result ask for them
    /// (<see cref="AuthorizationResult.Fields"/>).
    /// </summary>
    public Task<AuthorizationResult> StartAsync(
        ProviderDefinition provider, string? label, string? connectionId, ConnectionScope scope, string? scopes, IReadOnlyDictionary<string, string> given,
        HttpContext context, CancellationToken cancellationToken) =>
        StartAsync(provider, label, connectionId, scope, scopes, given, request: null, context, cancellationToken);

    /// <summary>
    /// Starts the connect a connect request's link asks for (docs/architecture.md §9): the connection lands in the
    /// request's workspace and end user, made by the person (<see cref="ConnectionOrigin.ConnectRequest"/>); the values
    /// the operator set win over <paramref name="given"/>. The callback checks and claims the request before it keeps anything.
    /// </summary>
    public Task<AuthorizationResult> StartAsync(
        ProviderDefinition provider, ConnectRequestRow request, IReadOnlyDictionary<string, string> given, HttpContext context, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(given, StringComparer.Ordinal);
        foreach (var (name, value) in request.Parameters)
        {
            values[name] = value;
        }

        return StartAsync(provider, request.Label, request.ConnectionId, request.Scope, request.Scopes is { } scopes ? string.Join(' ', scopes) : null, values,
            request, context, cancellationToken);
    }

    private async Task<AuthorizationResult> StartAsync(
        ProviderDefinition provider, string? label, string? connectionId, ConnectionScope scope, string? scopes, IReadOnlyDictionary<string, string> given,
        ConnectRequestRow? request, HttpContext context, CancellationToken cancellationToken)
    {
        using var activity = TokenInstrumentation.StartAuthorization("tokenproxy.connect", provider);
        if (!provider.CanConnect)
        {
            return Failed(activity, StatusCodes.Status400BadRequest, $"{provider.DisplayName} is not set up for connecting",
                $"Set TokenProxy:Providers:{provider.Name}:ClientId (and ClientSecret if the provider issued one), then try again.");
        }

        var requested = scopes?.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries) ?? [.. provider.Scopes];
        if (ScopeSyntax.Problem(requested) is { } scopeProblem)
        {
            return Failed(activity, StatusCodes.Status400BadRequest, "Invalid scopes", scopeProblem);
        }

        var existing = await FindTargetAsync(provider, label, connectionId, scope, cancellationToken);
        if (existing.Failure is { } failure)
        {
            return Failed(activity, failure.Status, failure.Title!, failure.Message!);
        }

        // docs/architecture.md §9: a link that names no connection asks for a new one and only ever fills a connection it
        // created itself. Its label taken since the request was made is a refusal, never a takeover; a retry of the same
        // link finds its own abandoned attempt (AbandonedLinkAttempt) and carries on with it.
        if (request is { ConnectionId: null } && existing.Row is { } taken && !AbandonedLinkAttempt(taken, request))
        {
            return Failed(activity, StatusCodes.Status409Conflict, "Label already in use", LabelTakenByAnother(provider, taken.Label));
        }

        // A browser connect gives tokens for a person: it may renew such a connection, never take over one that holds a
        // credential of another kind (an app's own client-credentials tokens, an API key, Basic credentials).
        if (existing.Row is { } other && !BrowserConnectable(other))
        {
            return Failed(activity, StatusCodes.Status409Conflict, $"{provider.DisplayName} {other.Label} is not connected in a browser", NotBrowserConnectable(other));
        }

        // Checked before anything is created or sent: each given value against its pattern and the universal rule, then
        // every OAuth endpoint it fills against AllowedHosts (ProviderDefinition.ForConnection).
        var (parameters, fields) = GivenValues(provider, existing.Row, given);
        if (fields.Any(f => f.Value is null))
        {
            return AskFor(activity, fields);
        }

        if (existing.Row is { } stored && provider.GivenParameters.FirstOrDefault(p => given.TryGetValue(p.Name, out var v) && stored.Parameters.TryGetValue(p.Name, out var kept) && kept != v) is { } changed)
        {
            return Failed(activity, StatusCodes.Status409Conflict, $"{provider.DisplayName} {stored.Label} has another {changed.Label}",
                $"The connection '{stored.Label}' keeps the {changed.Label} it was connected with. Connect the other one under a new label.");
        }

        if (provider.ForConnection(parameters, out var refused) is not { } connecting)
        {
            if (refused.Parameter is { Kind: ParameterKind.Given } culprit && existing.Row is null)
            {
                return AskFor(activity, [.. fields.Select(f => f.Name == culprit.Name ? f with { Value = null, Problem = refused.Problem } : f)]);
            }

            return Failed(activity, StatusCodes.Status400BadRequest, $"{provider.DisplayName}'s endpoints cannot be resolved", $"{refused.Describe()}.");
        }

        var resolved = await endpoints.ResolveAsync(connecting, cancellationToken);
        if (resolved.AuthorizationUrl is null || resolved.TokenUrl is null)
        {
            return Failed(activity, StatusCodes.Status502BadGateway, $"{provider.DisplayName}'s endpoints are unavailable", resolved.Problem ?? "No authorization or token endpoint.");
        }

        if (provider.UsePkce && resolved.CodeChallengeMethods is { } methods && !methods.Contains(Pkce.Method))
        {
            // RFC 9700 §2.1.1: do not silently drop PKCE; an operator may turn it off explicitly (UsePkce=false).
            return Failed(activity, StatusCodes.Status502BadGateway, $"{provider.DisplayName} does not support PKCE S256",
                $"Its metadata lists code_challenge_methods_supported = [{string.Join(", ", methods)}]. Set UsePkce to false for this provider only if that is intended.");
        }

        var target = await TargetConnectionAsync(provider, label, scope, request, existing.Row, cancellationToken);
        if (target.Failure is { } conflict)
        {
            return Failed(activity, conflict.Status, conflict.Title!, conflict.Message!);
        }

        var state = RandomValue();
        var stateHash = Hash(state);
        var browser = RandomValue();
        var verifier = provider.UsePkce ? Pkce.CreateVerifier() : null;
        var now = time.GetUtcNow();
        await store.PurgeExpiredPendingAsync(now, cancellationToken);
        await store.SavePendingAsync(new PendingAuthorization(
            stateHash, provider.Name, target.Row!.Id, target.Row.Label, requested, RedirectUri(provider), resolved.Issuer, resolved.IssParameterSupported,
            Hash(browser), verifier is null ? null : sealer.Seal(stateHash, VerifierField, verifier), target.Created, now, now + Lifetime)
        {
            Parameters = parameters,
            ConnectRequestId = request?.Id,
        }, cancellationToken);

        // Lax: sent on the top-level redirect back from the provider, not on cross-site subrequests.
        SetBrowserCookie(context, provider, stateHash, browser, SameSiteMode.Lax);

        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = provider.ClientId,
            ["redirect_uri"] = RedirectUri(provider),
            ["state"] = state,
        };
        if (requested.Length > 0)
        {
            query["scope"] = string.Join(provider.ScopeSeparator, requested);
        }

        if (verifier is not null)
        {
            query["code_challenge"] = Pkce.Challenge(verifier);
            query["code_challenge_method"] = Pkce.Method;
        }

        foreach (var (key, value) in provider.AuthorizationParameters)
        {
            query.TryAdd(key, value);
        }

        activity.ForConnection(target.Row.Id);
        return AuthorizationResult.Redirect(QueryHelpers.AddQueryString(resolved.AuthorizationUrl.AbsoluteUri, query));
    }

    /// <summary>
    /// Whether <paramref name="row"/> is an attempt of <paramref name="request"/>'s link that never finished (the person
    /// never came back from the provider, or the exchange failed): a connection that never held a credential, made through
    /// a link, in the request's scope. It is this request's own: while a request is outstanding no other may ask for its
    /// label in its scope (label_requested), and no connection can take the label meanwhile (label_taken, unique labels).
    /// </summary>
    private static bool AbandonedLinkAttempt(ConnectionRow row, ConnectRequestRow request) =>
        row is { Status: ConnectionStatus.Pending, AccessToken: null, RefreshToken: null, Origin: ConnectionOrigin.ConnectRequest }
        && row.Scope == request.Scope && row.Label == request.EffectiveLabel && row.Provider == request.Provider;

    private static string LabelTakenByAnother(ProviderDefinition provider, string label) =>
        $"{provider.DisplayName} already has another connection labelled '{label}' there, so this link cannot create it. Nothing was changed.";

    /// <summary>Whether a browser connect may give <paramref name="row"/> its tokens: only a connection of tokens for a person.</summary>
    private static bool BrowserConnectable(ConnectionRow row) => row.CredentialKind is CredentialKind.OAuth2 or CredentialKind.Bearer;

    private static string NotBrowserConnectable(ConnectionRow row) =>
        $"The connection '{row.Label}' holds {row.CredentialKind.ToWire()} credentials, which no sign-in gives; a browser connect would turn it into another account's. Connect a person under a new label.";

    /// <summary>The form for the values still needed: a missing value is no failure, a refused one is recorded as one.</summary>
    private AuthorizationResult AskFor(AuthorizationAttempt activity, IReadOnlyList<ParameterField> fields)
    {
        if (fields.FirstOrDefault(f => f.Problem is not null) is { } refused)
        {
            instrumentation.AuthorizationFailed(activity, $"{refused.Label} ({refused.Name}) {refused.Problem}");
        }

        return AuthorizationResult.NeedsValues(fields);
    }

    /// <summary>
    /// The connection a connect is for, when it exists already (by id, or by label in <paramref name="scope"/>); a connection
    /// id that is unknown fails.
    /// </summary>
    private async Task<(ConnectionRow? Row, AuthorizationResult? Failure)> FindTargetAsync(
        ProviderDefinition provider, string? label, string? connectionId, ConnectionScope scope, CancellationToken cancellationToken)
    {
        if (connectionId is not null)
        {
            var row = await store.GetAsync(connectionId, cancellationToken);
            return row is null || row.Provider != provider.Name
                ? (null, AuthorizationResult.Failed(StatusCodes.Status404NotFound, "Connection not found", $"There is no {provider.DisplayName} connection '{connectionId}'."))
                : (row, null);
        }

        label ??= "default";
        return ConnectionLabel.IsValid(label)
            ? (await store.FindAsync(provider.Name, scope, label, cancellationToken), null)
            : (null, AuthorizationResult.Failed(StatusCodes.Status400BadRequest, "Invalid label", ConnectionLabel.Rule));
    }

    /// <summary>
    /// The parameters to connect with: an existing connection's stored values, plus each given parameter it lacks from
    /// <paramref name="given"/> when the value passes its checks. Every given parameter is listed in the fields; one
    /// without an accepted value has a null <see cref="ParameterField.Value"/>.
    /// </summary>
    private static (Dictionary<string, string> Parameters, List<ParameterField> Fields) GivenValues(
        ProviderDefinition provider, ConnectionRow? row, IReadOnlyDictionary<string, string> given)
    {
        var parameters = new Dictionary<string, string>(row?.Parameters ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var fields = new List<ParameterField>();
        foreach (var parameter in provider.GivenParameters)
        {
            if (parameters.TryGetValue(parameter.Name, out var stored))
            {
                fields.Add(new ParameterField(parameter.Name, parameter.Label, stored, null));
            }
            else if (given.TryGetValue(parameter.Name, out var value))
            {
                var problem = parameter.Problem(value);
                fields.Add(new ParameterField(parameter.Name, parameter.Label, problem is null ? value : null, problem));
                if (problem is null)
                {
                    parameters[parameter.Name] = value;
                }
            }
            else
            {
                fields.Add(new ParameterField(parameter.Name, parameter.Label, null, null));
            }
        }

        return (parameters, fields);
    }

    private async Task<(ConnectionRow? Row, bool Created, AuthorizationResult? Failure)> TargetConnectionAsync(
        ProviderDefinition provider, string? label, ConnectionScope scope, ConnectRequestRow? request, ConnectionRow? row, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (row is null)
        {
            label ??= "default";
            row = new ConnectionRow
            {
                Id = ConnectionIds.New(), Provider = provider.Name, Label = label, Workspace = scope.Workspace,
                EndUser = request?.EndUser ?? (scope.EndUser is { } endUser ? new ConnectionEndUser(endUser) : null),
                Origin = request is null ? ConnectionOrigin.Operator : ConnectionOrigin.ConnectRequest,
                Status = ConnectionStatus.Pending, CreatedAt = now, UpdatedAt = now,
            };
            if (await store.TryInsertAsync(row, cancellationToken))
            {
                return (row with { Version = 1 }, true, null);
            }

            // The store checks the workspace in the insert: one deleted since the connect began inserts nothing.
            return scope.Workspace is { } workspace && await store.GetWorkspaceAsync(workspace, cancellationToken) is null
                ? (null, false, AuthorizationResult.Failed(StatusCodes.Status404NotFound, "Workspace not found", $"There is no workspace '{workspace}'. Create it first, then connect."))
                : (null, false, AuthorizationResult.Failed(StatusCodes.Status409Conflict, "Label already in use", $"{provider.DisplayName} already has a connection labelled '{label}' there."));
        }

        if (row.Status == ConnectionStatus.Pending)
        {
            // A fresh attempt on a connection that never finished: it is not abandoned (see BackgroundRefresher).
            row = await store.TryUpdateAsync(row with { UpdatedAt = now }, cancellationToken) ?? row;
        }

        // Reconnecting keeps the id and the status: a connection that still works keeps serving until the new
        // tokens arrive, and an abandoned attempt leaves it exactly as it was. The pending record marks it.
        return (row, false, null);
    }

    /// <summary>The cookie that binds a pending flow (an authorization, or a pick) to this browser, for that provider's callback paths.</summary>
    private void SetBrowserCookie(HttpContext context, ProviderDefinition provider, string stateHash, string browser, SameSiteMode sameSite) =>
        context.Response.Cookies.Append(CookieName(stateHash), browser, new CookieOptions
        {
            HttpOnly = true,
            SameSite = sameSite,
            Secure = _publicBaseUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase),
            Path = $"/admin/callback/{provider.Name}",
            MaxAge = Lifetime,
        });

    private static string CookieName(string stateHash) => CookiePrefix + stateHash[..16];

    private static string RandomValue() => Pkce.Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private AuthorizationResult Failed(AuthorizationAttempt activity, int status, string title, string message)
    {
        instrumentation.AuthorizationFailed(activity, title);
        return AuthorizationResult.Failed(status, title, message);
    }

    /// <summary>A failure of a flow that cannot be told (no pending record): shown on a plain page.</summary>
    private AuthorizationResult Unattributed(AuthorizationAttempt activity, int status, string title, string message) =>
        Failed(activity, status, title, message) with { Unattributed = true };
}
