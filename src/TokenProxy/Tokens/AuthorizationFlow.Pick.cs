using System.Text.Json;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>
/// The pick after a discovery that offered several values (docs/architecture.md §8): the connection is not touched
/// until the person picks (a new one stays <c>pending</c> with no credentials, which no app can use); the tokens wait,
/// sealed, in a pending record under a new single-use key bound to this browser by a cookie, for
/// <see cref="Lifetime"/>. The pick must be one of the values offered.
/// </summary>
internal sealed partial class AuthorizationFlow
{
    private const string PickField = "parameter_pick";

    private async Task<AuthorizationResult> AwaitPickAsync(
        ProviderDefinition provider, PendingAuthorization pending, IReadOnlyDictionary<string, string> parameters,
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
            ExpiresAt = now + Lifetime,
            Parameters = parameters,
            Pick = sealer.Seal(keyHash, PickField, pick),
        }, cancellationToken);

        // Strict: the pick is posted from TokenProxy's own page, never from another site.
        SetBrowserCookie(context, provider, keyHash, browser, SameSiteMode.Strict);
        return AuthorizationResult.Picking(new PickRequest(key, parameter.Label, offered));
    }

    /// <summary>Finishes a connect that waited for a pick: <paramref name="value"/> must be one of the values offered to this browser.</summary>
    public async Task<AuthorizationResult> CompletePickAsync(ProviderDefinition provider, string? key, string? value, HttpContext context, CancellationToken cancellationToken)
    {
        using var activity = TokenInstrumentation.StartAuthorization("tokenproxy.pick", provider);
        if (string.IsNullOrEmpty(key))
        {
            return Unattributed(activity, StatusCodes.Status400BadRequest, "Invalid pick", $"The form has no pick key. {StartAgainAnywhere}");
        }

        var keyHash = Hash(key);
        var (pending, failure) = await TakeAsync(activity, provider, keyHash, pick: true, context, cancellationToken);
        if (pending is null)
        {
            return failure!;
        }

        return ForLink(pending, await PickedAsync(activity, provider, pending, keyHash, value, cancellationToken));
    }

    private async Task<AuthorizationResult> PickedAsync(
        AuthorizationAttempt activity, ProviderDefinition provider, PendingAuthorization pending, string keyHash, string? value, CancellationToken cancellationToken)
    {
        if (!sealer.TryOpen(keyHash, PickField, pending.Pick!, out var opened) || JsonSerializer.Deserialize<ParameterPick>(opened) is not { } pick
            || !provider.Parameters.TryGetValue(pick.Parameter, out var parameter))
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status500InternalServerError, "Authorization state unreadable", StartAgainFromConnections, cancellationToken);
        }

        // Only a value that was offered, and that still passes the parameter's own checks, can become the connection's.
        if (value is null || !pick.Offered.Any(o => o.Value == value) || parameter.Problem(value) is not null)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, $"Not an offered {parameter.Label}",
                $"The {parameter.Label} chosen is not one of those {provider.DisplayName} offered. Nothing was stored. {StartAgainFromConnections}", cancellationToken);
        }

        var parameters = new Dictionary<string, string>(pending.Parameters, StringComparer.Ordinal) { [parameter.Name] = value };
        return await FinishAsync(activity, provider, pending, pick.Tokens, pick.ReceivedAt, parameters, cancellationToken);
    }
}
