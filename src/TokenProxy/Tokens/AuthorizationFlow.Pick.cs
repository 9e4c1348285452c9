using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// The pick after a discovery that offered several values (docs/architecture.md §7): the connection is not touched
/// until the person picks (a new one stays <c>pending</c> with no credentials, which no app can use); the tokens wait,
/// sealed, in a pending record under a new single-use key bound to this browser by a cookie, for
/// <see cref="Lifetime"/>. The pick must be one of the values offered.
/// </summary>
internal sealed partial class AuthorizationFlow
{
    private const string PickField = "parameter_pick";

    private async Task<AuthorizationResult> AwaitPickAsync(
        Activity? activity, ProviderDefinition provider, PendingAuthorization pending, IReadOnlyDictionary<string, string> parameters,
        ProviderParameter parameter, IReadOnlyList<DiscoveredValue> offered, TokenSet tokens, HttpContext context, CancellationToken cancellationToken)
    {
        var key = RandomValue();
        var keyHash = Hash(key);
        var browser = RandomValue();
        var now = time.GetUtcNow();
        var pick = JsonSerializer.Serialize(new ParameterPick(parameter.Name, offered, tokens, now));
        await store.SavePendingAsync(pending with
        {
            StateHash = keyHash,
            BrowserHash = Hash(browser),
            CodeVerifier = null,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
            Parameters = parameters,
            Pick = sealer.Seal(keyHash, PickField, pick),
        }, cancellationToken);

        // Strict: the pick is posted from TokenProxy's own page, never from another site.
        SetBrowserCookie(context, provider, keyHash, browser, SameSiteMode.Strict);
        instrumentation.AuthorizationFailed(activity, "Pick needed");
        return AuthorizationResult.Picking(new PickRequest(key, parameter.Label, offered));
    }

    /// <summary>Finishes a connect that waited for a pick: <paramref name="value"/> must be one of the values offered to this browser.</summary>
    public async Task<AuthorizationResult> CompletePickAsync(ProviderDefinition provider, string? key, string? value, HttpContext context, CancellationToken cancellationToken)
    {
        using var activity = TokenInstrumentation.StartAuthorization("tokenproxy.pick", provider);
        if (string.IsNullOrEmpty(key))
        {
            return Failed(activity, StatusCodes.Status400BadRequest, "Invalid pick", "The form has no pick key. Start again from the connections page.");
        }

        var keyHash = Hash(key);
        // Taken before anything else, like a state: a pick is single-use, whatever it chooses.
        var pending = await store.TakePendingAsync(keyHash, cancellationToken);
        var cookieName = CookieName(keyHash);
        var browser = context.Request.Cookies[cookieName];
        context.Response.Cookies.Delete(cookieName, new CookieOptions { Path = $"/admin/callback/{provider.Name}" });
        if (pending?.Pick is null || pending.ExpiresAt < time.GetUtcNow())
        {
            return Failed(activity, StatusCodes.Status400BadRequest, "This choice has expired",
                "The choice is unknown, was already made, or is older than 10 minutes. Start again from the connections page.");
        }

        TokenInstrumentation.ForConnection(activity, pending.ConnectionId);
        if (pending.Provider != provider.Name)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Wrong provider", "This choice was offered for another provider.", cancellationToken);
        }

        if (browser is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(browser)), Encoding.ASCII.GetBytes(pending.BrowserHash)))
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Started in another browser",
                "This choice was offered in another browser (or its cookie is gone). Start again here.", cancellationToken);
        }

        if (!sealer.TryOpen(keyHash, PickField, pending.Pick, out var opened) || JsonSerializer.Deserialize<ParameterPick>(opened) is not { } pick
            || !provider.Parameters.TryGetValue(pick.Parameter, out var parameter))
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status500InternalServerError, "Authorization state unreadable", "Start again from the connections page.", cancellationToken);
        }

        // Only a value that was offered, and that still passes the parameter's own checks, can become the connection's.
        if (value is null || !pick.Offered.Any(o => o.Value == value) || parameter.Problem(value) is not null)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, $"Not an offered {parameter.Label}",
                $"The {parameter.Label} chosen is not one of those {provider.DisplayName} offered. Nothing was stored; start again from the connections page.", cancellationToken);
        }

        var parameters = new Dictionary<string, string>(pending.Parameters, StringComparer.Ordinal) { [parameter.Name] = value };
        return await FinishAsync(activity, provider, pending, pick.Tokens, pick.ReceivedAt, parameters, cancellationToken);
    }
}
