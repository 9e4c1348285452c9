using System.Diagnostics;
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
    TimeProvider time,
    TokenInstrumentation instrumentation,
    IOptions<PublicUrlOptions> options)
{
    /// <summary>How long a started authorization stays valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private const string VerifierField = "code_verifier";
    private const string CookiePrefix = "tokenproxy_auth_";

    private readonly string _publicBaseUrl = options.Value.PublicBaseUrl.TrimEnd('/');

    /// <summary>The redirect URI of a provider: one per provider, so a code can only come back for the provider it was issued by.</summary>
    public string RedirectUri(ProviderDefinition provider) => $"{_publicBaseUrl}/admin/callback/{provider.Name}";

    public async Task<AuthorizationResult> StartAsync(
        ProviderDefinition provider, string? label, string? connectionId, string? scopes, HttpContext context, CancellationToken cancellationToken)
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

        var resolved = await endpoints.ResolveAsync(provider, cancellationToken);
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

        var target = await TargetConnectionAsync(provider, label, connectionId, cancellationToken);
        if (target.Failure is { } failure)
        {
            return Failed(activity, failure.Status, failure.Title!, failure.Message!);
        }

        // A value the person gives (a Zendesk subdomain) or picks (an Atlassian site) is not asked for in the browser yet:
        // such a connection is imported with its parameters first, and can then be reconnected here.
        if (provider.Parameters.Values.FirstOrDefault(p => p.Kind != ParameterKind.TokenResponse && !target.Row!.Parameters.ContainsKey(p.Name)) is { } missing)
        {
            if (target.Created)
            {
                await store.DeleteAsync(target.Row!.Id, cancellationToken);
            }

            return Failed(activity, StatusCodes.Status400BadRequest, $"{provider.DisplayName} needs {missing.Label}",
                $"Connecting in the browser does not ask for {missing.Label} ({missing.Name}) yet. Import the connection with its \"parameters\" " +
                "(POST /admin/api/connections), then reconnect it from its page.");
        }

        var state = RandomValue();
        var stateHash = Hash(state);
        var browser = RandomValue();
        var verifier = provider.UsePkce ? Pkce.CreateVerifier() : null;
        var now = time.GetUtcNow();
        await store.PurgeExpiredPendingAsync(now, cancellationToken);
        await store.SavePendingAsync(new PendingAuthorization(
            stateHash, provider.Name, target.Row!.Id, target.Row.Label, requested, RedirectUri(provider), resolved.Issuer, resolved.IssParameterSupported,
            Hash(browser), verifier is null ? null : sealer.Seal(stateHash, VerifierField, verifier), target.Created, now, now + Lifetime), cancellationToken);

        context.Response.Cookies.Append(CookieName(stateHash), browser, new CookieOptions
        {
            HttpOnly = true,
            // Lax: sent on the top-level redirect back from the provider, not on cross-site subrequests.
            SameSite = SameSiteMode.Lax,
            Secure = _publicBaseUrl.StartsWith("https:", StringComparison.OrdinalIgnoreCase),
            Path = $"/admin/callback/{provider.Name}",
            MaxAge = Lifetime,
        });

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

        TokenInstrumentation.ForConnection(activity, target.Row.Id);
        return AuthorizationResult.Redirect(QueryHelpers.AddQueryString(resolved.AuthorizationUrl.AbsoluteUri, query));
    }

    private async Task<(ConnectionRow? Row, bool Created, AuthorizationResult? Failure)> TargetConnectionAsync(
        ProviderDefinition provider, string? label, string? connectionId, CancellationToken cancellationToken)
    {
        ConnectionRow? row;
        if (connectionId is not null)
        {
            row = await store.GetAsync(connectionId, cancellationToken);
            if (row is null || row.Provider != provider.Name)
            {
                return (null, false, AuthorizationResult.Failed(StatusCodes.Status404NotFound, "Connection not found", $"There is no {provider.DisplayName} connection '{connectionId}'."));
            }
        }
        else
        {
            label ??= "default";
            if (!ConnectionLabel.IsValid(label))
            {
                return (null, false, AuthorizationResult.Failed(StatusCodes.Status400BadRequest, "Invalid label", ConnectionLabel.Rule));
            }

            row = await store.FindAsync(provider.Name, label, cancellationToken);
        }

        var now = time.GetUtcNow();
        if (row is null)
        {
            row = new ConnectionRow { Id = ConnectionIds.New(), Provider = provider.Name, Label = label!, Status = ConnectionStatus.Pending, CreatedAt = now, UpdatedAt = now };
            return await store.TryInsertAsync(row, cancellationToken)
                ? (row with { Version = 1 }, true, null)
                : (null, false, AuthorizationResult.Failed(StatusCodes.Status409Conflict, "Label already in use", $"{provider.DisplayName} already has a connection labelled '{label}'."));
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

    private static string CookieName(string stateHash) => CookiePrefix + stateHash[..16];

    private static string RandomValue() => Pkce.Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private AuthorizationResult Failed(Activity? activity, int status, string title, string message)
    {
        instrumentation.AuthorizationFailed(activity, title);
        return AuthorizationResult.Failed(status, title, message);
    }
}
