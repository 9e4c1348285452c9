using System.Data.Common;
using System.Text.Json.Nodes;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

/// <summary>An API that needs broader access (RFC 6750 §3.1 insufficient_scope): recorded on the connection, never refreshed.</summary>
internal sealed partial class TokenService
{
    /// <summary>
    /// After the API answered <paramref name="credential"/>'s token with <paramref name="challenge"/>: records the scopes it
    /// needs on the connection (<see cref="ConnectionRow.RequiredScopes"/>) with a <c>connection.scopes_required</c> event,
    /// told once per connection and scope set. Returns the scopes a reconnect should ask for (granted and required), or null
    /// when the token already has them or is no longer the connection's. A store that cannot be written leaves the row as it
    /// was: the app still gets the API's answer and where to reconnect.
    /// </summary>
    public async Task<IReadOnlyList<string>?> NoteScopesRequiredAsync(CachedCredential credential, ScopeChallenge challenge, CancellationToken cancellationToken)
    {
        try
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var row = await store.GetAsync(credential.ConnectionId, cancellationToken);
                if (row is null || row.Status != ConnectionStatus.Active || !HoldsSameToken(row, credential))
                {
                    return null;
                }

                if (challenge.SatisfiedBy(challenge.Granted ?? row.Scopes))
                {
                    return null;
                }

                var union = challenge.Union(row.Scopes);
                if (row.RequiredScopes.SequenceEqual(challenge.Required, StringComparer.Ordinal))
                {
                    return union;
                }

                var required = new JsonArray([.. challenge.Required.Select(s => (JsonNode)s)]);
                var scopesEvent = ConnectionEvents.About(row, EventTypes.ConnectionScopesRequired, EventTypes.ActorApp, new JsonObject
                {
                    ["requiredScopes"] = required,
                    ["grantedScopes"] = new JsonArray([.. (challenge.Granted ?? row.Scopes).Select(s => (JsonNode)s)]),
                }) with
                {
                    Once = $"{EventTypes.ConnectionScopesRequired} {row.Id} {string.Join(' ', challenge.Required.Order(StringComparer.Ordinal))}",
                };
                if (await store.TryUpdateAsync(row with { RequiredScopes = challenge.Required, UpdatedAt = time.GetUtcNow() }, [scopesEvent], cancellationToken) is not null)
                {
                    instrumentation.ScopesRequired(row.Provider, row.Id, challenge.Required);
                    return union;
                }
            }

            return null;
        }
        catch (Exception e) when (e is DbException or StoreUnavailableException)
        {
            instrumentation.ScopesNotRecorded(credential.ConnectionId, e);
            return challenge.Union(challenge.Granted ?? []);
        }
    }
}
