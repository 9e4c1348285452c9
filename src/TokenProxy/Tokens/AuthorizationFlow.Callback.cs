using System.Security.Cryptography;
using System.Text;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Tokens;

internal sealed partial class AuthorizationFlow
{
    public async Task<AuthorizationResult> CompleteAsync(ProviderDefinition provider, IQueryCollection query, HttpContext context, CancellationToken cancellationToken)
    {
        using var activity = TokenInstrumentation.StartAuthorization("tokenproxy.callback", provider);
        var state = query["state"].ToString();
        if (state.Length == 0)
        {
            return Failed(activity, StatusCodes.Status400BadRequest, "Invalid authorization response", $"The response has no state. {StartAgainAnywhere}");
        }

        var stateHash = Hash(state);
        var (pending, failure) = await TakeAsync(activity, provider, stateHash, pick: false, context, cancellationToken);
        if (pending is null)
        {
            return failure!;
        }

        // A flow started from a link says so in its result, so that its pages are the link's, never the admin's.
        return ForLink(pending, await ExchangeAsync(activity, provider, pending, stateHash, query, context, cancellationToken));
    }

    /// <summary>
    /// The result of a flow as its person sees it: one started from a link carries the request's id (its pages are the
    /// link's), and a failure tells them to open the link again rather than to start from an admin page they cannot reach.
    /// A link that can no longer be used (410) says so in its own words.
    /// </summary>
    private static AuthorizationResult ForLink(PendingAuthorization pending, AuthorizationResult result)
    {
        if (pending.ConnectRequestId is null)
        {
            return result;
        }

        if (result.Message is not { } message || result.Status == StatusCodes.Status410Gone)
        {
            return result with { ConnectRequestId = pending.ConnectRequestId };
        }

        var bare = message.Replace(StartAgainFromConnections, string.Empty, StringComparison.Ordinal).Replace(" Start again.", string.Empty, StringComparison.Ordinal).TrimEnd();
        return result with { ConnectRequestId = pending.ConnectRequestId, Message = $"{bare} {LinkRefusal.OpenAgain}" };
    }

    private async Task<AuthorizationResult> ExchangeAsync(
        AuthorizationAttempt activity, ProviderDefinition provider, PendingAuthorization pending, string stateHash, IQueryCollection query, HttpContext context,
        CancellationToken cancellationToken)
    {
        // docs/architecture.md §9: a link cancelled, expired or used in another browser while the person was at the
        // provider exchanges nothing and keeps nothing.
        if (pending.ConnectRequestId is { } requestId && await LinkRefusalAsync(activity, pending, requestId, cancellationToken) is { } gone)
        {
            return gone;
        }

        // RFC 9207 §2.4: an iss that is not the expected issuer means a mix-up; a missing one is fatal when the server promised it.
        var iss = query["iss"].ToString();
        if ((iss.Length > 0 && pending.Issuer is not null && iss != pending.Issuer) || (iss.Length == 0 && pending.IssParameterSupported))
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Unexpected authorization server",
                $"The response did not come from {provider.DisplayName}'s authorization server; it was ignored.", cancellationToken);
        }

        if (ProviderText.Code(query["error"].ToString()) is { Length: > 0 } error)
        {
            var description = ProviderText.Description(query["error_description"].ToString())!;
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Authorization was not granted",
                $"{provider.DisplayName} answered '{error}'{(description.Length > 0 ? $": {description}" : string.Empty)}. Nothing was changed.", cancellationToken);
        }

        var code = query["code"].ToString();
        if (code.Length == 0)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Invalid authorization response", "The response has no authorization code.", cancellationToken);
        }

        string? verifier = null;
        if (pending.CodeVerifier is not null && !sealer.TryOpen(stateHash, VerifierField, pending.CodeVerifier, out verifier))
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status500InternalServerError, "Authorization state unreadable", StartAgainFromConnections, cancellationToken);
        }

        // The token endpoint of this flow's values (a Zendesk subdomain), checked against AllowedHosts again before the code goes there.
        if (provider.ForConnection(pending.Parameters, out var refused) is not { } connecting)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Could not finish connecting", $"{refused.Describe()}. Nothing was stored.", cancellationToken);
        }

        var result = await tokenClient.ExchangeCodeAsync(connecting, code, pending.RedirectUri, verifier, cancellationToken);
        if (!result.Succeeded)
        {
            var refusal = result.Failure;
            await RecordErrorAsync(pending.ConnectionId, refusal.Error!, refusal.Description, cancellationToken);
            instrumentation.CodeExchangeFailed(activity.Activity, provider.Name, pending.ConnectionId, refusal);
            return AuthorizationResult.Failed(StatusCodes.Status502BadGateway, "Could not finish connecting",
                $"{provider.DisplayName}'s token endpoint answered '{refusal.Error}'{(refusal.Description is { Length: > 0 } d ? $": {d.TrimEnd('.')}" : string.Empty)}. {StartAgainFromConnections}");
        }

        var current = await store.GetAsync(pending.ConnectionId, cancellationToken);
        if (current is null)
        {
            // Tokens minted for a connection that is gone are stored by nobody: revoked, as for a lost race.
            RevokeInBackground(connecting, result.Value, pending.Parameters);
            return Failed(activity, StatusCodes.Status409Conflict, "Connection removed", "The connection was deleted while it was being connected. Start again.");
        }

        // An API address named by the answer (instance_url) is checked before anything is stored: outside the provider's
        // allowed hosts it is a failed connect, never a new destination.
        var (parameters, destinationProblem) = ResponseParameters.Apply(provider, current with { Parameters = pending.Parameters }, result.Value);
        if (destinationProblem is not null)
        {
            instrumentation.ConnectDestinationRefused(provider.Name, pending.ConnectionId, destinationProblem);
            await RecordErrorAsync(pending.ConnectionId, "invalid_destination", destinationProblem, cancellationToken);
            return await AbandonAsync(activity, pending, StatusCodes.Status502BadGateway, "Could not finish connecting",
                $"{provider.DisplayName}'s token endpoint named an API address this provider does not allow: {destinationProblem}. Nothing was stored.", cancellationToken);
        }

        // A value found by a discovery call (an Atlassian site) and not stored yet: one offered is taken, several are picked.
        if (provider.Parameters.Values.FirstOrDefault(p => p.Kind == ParameterKind.Discovery && !parameters.ContainsKey(p.Name)) is { } discovered)
        {
            var offered = await discovery.DiscoverAsync(connecting, discovered, result.Value.AccessToken, cancellationToken);
            if (offered.Problem is not null || offered.Offered.Count == 0)
            {
                var why = offered.Problem ?? $"it offered no {discovered.Label} this account can use";
                await RecordErrorAsync(pending.ConnectionId, "discovery_failed", $"Finding the {discovered.Label} failed: {why}.", cancellationToken);
                RevokeInBackground(connecting, result.Value, parameters);
                return await AbandonAsync(activity, pending, StatusCodes.Status502BadGateway, $"No {discovered.Label} to connect",
                    $"{provider.DisplayName} was asked which {discovered.Label} to use, and {why}. Nothing was stored; start again once the account has access to one.", cancellationToken);
            }

            if (offered.Offered.Count > 1)
            {
                return await AwaitPickAsync(provider, pending, parameters, discovered, offered.Offered, result.Value, context, cancellationToken);
            }

            parameters = new Dictionary<string, string>(parameters, StringComparer.Ordinal) { [discovered.Name] = offered.Offered[0].Value };
        }

        return await FinishAsync(activity, provider, pending, result.Value, time.GetUtcNow(), parameters, cancellationToken);
    }

    /// <summary>
    /// Takes the pending record under <paramref name="keyHash"/> (deleted before anything else: whatever happens next, its
    /// key can never be used again) and checks that it is current, of its kind (an authorization's state, or a pick's
    /// key), for this provider, and finished by the browser that started it. The browser's cookie is deleted either way.
    /// </summary>
    private async Task<(PendingAuthorization? Pending, AuthorizationResult? Failure)> TakeAsync(
        AuthorizationAttempt activity, ProviderDefinition provider, string keyHash, bool pick, HttpContext context, CancellationToken cancellationToken)
    {
        var what = pick ? "choice" : "authorization";
        var pending = await store.TakePendingAsync(keyHash, cancellationToken);
        var cookieName = CookieName(keyHash);
        var browser = context.Request.Cookies[cookieName];
        context.Response.Cookies.Delete(cookieName, new CookieOptions { Path = $"/admin/callback/{provider.Name}" });
        if (pending is null || pending.ExpiresAt < time.GetUtcNow() || (pending.Pick is not null) != pick)
        {
            // An unknown key cannot tell whether a link or the admin started the flow: neutral words, on a plain page.
            var expired = Failed(activity, StatusCodes.Status400BadRequest, $"This {what} has expired", $"It is unknown, was already used, or is older than 10 minutes. {StartAgainAnywhere}");
            return (null, pending is null ? expired with { Unattributed = true } : ForLink(pending, expired with { Message = $"It is older than 10 minutes. {StartAgainFromConnections}" }));
        }

        activity.ForConnection(pending.ConnectionId);
        if (pending.Provider != provider.Name)
        {
            return (null, ForLink(pending, await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Wrong provider", $"This {what} was started for another provider.", cancellationToken)));
        }

        // RFC 6749 §9.12 / RFC 9700 §4.7: the browser that finishes must be the one that started.
        if (browser is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(browser)), Encoding.ASCII.GetBytes(pending.BrowserHash)))
        {
            return (null, ForLink(pending, await AbandonAsync(activity, pending, StatusCodes.Status400BadRequest, "Started in another browser",
                $"This {what} was started in another browser (or its cookie is gone). Start again here.", cancellationToken)));
        }

        return (pending, null);
    }

    /// <summary>Reads the account with the connection's endpoints, then stores the tokens and parameters: the connect is done.</summary>
    private async Task<AuthorizationResult> FinishAsync(
        AuthorizationAttempt activity, ProviderDefinition provider, PendingAuthorization pending, TokenSet tokens, DateTimeOffset receivedAt,
        IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        if (provider.ForConnection(parameters, out var refused) is not { } connected)
        {
            return await AbandonAsync(activity, pending, StatusCodes.Status502BadGateway, "Could not finish connecting", $"{refused.Describe()}. Nothing was stored.", cancellationToken);
        }

        var account = await identity.ReadAsync(connected, tokens.AccessToken, cancellationToken);
        var request = pending.ConnectRequestId is { } linked ? await store.GetConnectRequestAsync(linked, cancellationToken) : null;

        // A reconnect by link keeps the account (docs/architecture.md §9): another person's sign-in must not replace it.
        // Nothing is claimed, so the link stays usable by the right person.
        if (request?.ConnectionId is { } reconnecting && await store.GetAsync(reconnecting, cancellationToken) is { Account.Id: { } expected } target
            && account?.Id is { } signedIn && signedIn != expected)
        {
            RevokeInBackground(connected, tokens, parameters);
            var who = target.Account.Email ?? target.Account.Name;
            return Failed(activity, StatusCodes.Status409Conflict, "Another account",
                $"This link reconnects {(who is null ? $"another {provider.DisplayName} account" : who)}; you signed in as another account. Nothing was changed.");
        }

        // The claim (docs/architecture.md §9): outstanding → completed in one compare-and-swap, after the exchange and
        // before the tokens are stored. Of two browsers that come back with one link, exactly one claims it; an exchange
        // that failed never claimed, so it leaves the link usable; tokens stored by nobody are revoked.
        if (pending.ConnectRequestId is { } requestId && !await store.TryClaimConnectRequestAsync(requestId, pending.ConnectionId, time.GetUtcNow(), cancellationToken))
        {
            RevokeInBackground(connected, tokens, parameters);
            return await LinkRefusalAsync(activity, pending, requestId, cancellationToken) ?? Failed(activity, StatusCodes.Status410Gone, LinkRefusal.UsedTitle, LinkRefusal.Used);
        }

        var (stored, refusal) = await StoreTokensAsync(provider, pending, tokens, receivedAt, account, parameters, newOnly: request is { ConnectionId: null }, cancellationToken);
        if (stored is null)
        {
            if (pending.ConnectRequestId is { } claimed)
            {
                // Nothing was connected: the claim is released, and the link can be used again.
                await store.ReleaseConnectRequestAsync(claimed, pending.ConnectionId, cancellationToken);
            }

            RevokeInBackground(connected, tokens, parameters);
            return Failed(activity, StatusCodes.Status409Conflict, refusal!.Value.Title, refusal.Value.Message);
        }

        instrumentation.Connected(activity.Activity, provider.Name, stored.Id);
        return AuthorizationResult.Connected(stored.Id);
    }

    private async Task<(ConnectionRow? Row, (string Title, string Message)? Refusal)> StoreTokensAsync(
        ProviderDefinition provider, PendingAuthorization pending, TokenSet tokens, DateTimeOffset receivedAt, AccountIdentity? account, IReadOnlyDictionary<string, string> parameters,
        bool newOnly, CancellationToken cancellationToken)
    {
        // Compare-and-swap with a re-read: a background refresh may write the row meanwhile. What the connect was started
        // against is checked again on the row written, since it may have changed while the person signed in.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var row = await store.GetAsync(pending.ConnectionId, cancellationToken);
            if (row is null)
            {
                return (null, ("Connection removed", "The connection was deleted while it was being connected. Start again."));
            }

            // A link that names no connection fills only the one it created, still empty: one that holds a credential now
            // was connected by someone else meanwhile (docs/architecture.md §9).
            if (newOnly && (row.AccessToken is not null || row.Status != ConnectionStatus.Pending))
            {
                return (null, ("Label already in use", LabelTakenByAnother(provider, row.Label)));
            }

            if (CommitRefusal(provider, pending, row, parameters) is { } refusal)
            {
                return (null, refusal);
            }

            // Granted scopes when the provider says, else the ones asked for (RFC 6749 §5.1: scope is optional if unchanged).
            // Tokens got through a link are the workspace person's: the connection is theirs from now on (a reconnect too).
            var updated = tokens.ApplyTo(row with { Scopes = pending.Scopes, Parameters = parameters }, sealer, receivedAt, reason: null, provider) with
            {
                Account = account is null ? row.Account : new ConnectionAccount(account.Id, account.Email, account.Name),
                Origin = pending.ConnectRequestId is null ? row.Origin : ConnectionOrigin.ConnectRequest,
            };
            // Scopes the API asked for are no longer needed once this sign-in granted them all (docs/architecture.md §1).
            updated = updated with { RequiredScopes = row.RequiredScopes.All(updated.Scopes.Contains) ? [] : row.RequiredScopes };
            // A connection that never held tokens (created by this connect or an abandoned earlier one) is told as created
            // once it does; an existing one as reconnected (and recovered, when it was in error). Through a link, the
            // workspace's person did it.
            var actor = pending.ConnectRequestId is null ? EventTypes.ActorAdmin : EventTypes.ActorPortal;
            NewEvent[] events = row.Status == ConnectionStatus.Pending
                ? ConnectionEvents.Created(row, actor, "connect")
                : ConnectionEvents.Reconnected(row, actor);
            if (pending.ConnectRequestId is { } completed)
            {
                // The request was claimed before the exchange; it is told completed with the tokens' commit, not before.
                events = [.. events, new NewEvent(EventTypes.ConnectRequestCompleted, actor, row.Id, row.Workspace, row.EndUser?.Id, row.Provider,
                    new System.Text.Json.Nodes.JsonObject { ["request"] = completed, ["label"] = row.Label })];
            }

            if (await store.TryUpdateAsync(updated, events, cancellationToken) is { } committed)
            {
                return (committed, null);
            }
        }

        throw new InvalidOperationException($"Connection {pending.ConnectionId} kept changing while its new tokens were being stored.");
    }

    /// <summary>
    /// Why the tokens of <paramref name="pending"/> must not be written to <paramref name="row"/> as it is now: it holds a
    /// credential no sign-in gives, it was revoked after this connect started (a revoke ends every attempt under way), or
    /// it keeps another value of a parameter the person gave or picked (another tab connected the same label first).
    /// </summary>
    private static (string Title, string Message)? CommitRefusal(
        ProviderDefinition provider, PendingAuthorization pending, ConnectionRow row, IReadOnlyDictionary<string, string> parameters)
    {
        if (!BrowserConnectable(row))
        {
            return ($"{provider.DisplayName} {row.Label} is not connected in a browser", NotBrowserConnectable(row));
        }

        if (row.Status == ConnectionStatus.Revoked && row.UpdatedAt > pending.CreatedAt)
        {
            return ("Connection revoked", $"The connection '{row.Label}' was revoked while it was being connected. Nothing was stored; reconnect it to use it again.");
        }

        if (provider.Parameters.Values.FirstOrDefault(p => p.Kind is ParameterKind.Given or ParameterKind.Discovery
                && row.Parameters.TryGetValue(p.Name, out var kept) && parameters.TryGetValue(p.Name, out var value) && kept != value) is { } changed)
        {
            return ($"{provider.DisplayName} {row.Label} has another {changed.Label}",
                $"The connection '{row.Label}' keeps the {changed.Label} it was connected with. Nothing was stored; connect the other one under a new label.");
        }

        return null;
    }

    /// <summary>
    /// Why the link a flow was started from can no longer complete it (cancelled, expired, used), as a 410 that removes a
    /// connection this attempt created and left empty; null while it is outstanding.
    /// </summary>
    private async Task<AuthorizationResult?> LinkRefusalAsync(AuthorizationAttempt activity, PendingAuthorization pending, string requestId, CancellationToken cancellationToken)
    {
        var request = await store.GetConnectRequestAsync(requestId, cancellationToken);
        var status = request?.StatusAt(time.GetUtcNow());
        if (status == ConnectRequestStatus.Outstanding)
        {
            return null;
        }

        var (title, message) = LinkRefusal.For(status);
        // The browser that claimed the link may be storing its tokens into this very connection (both browsers connect
        // the same label): it is not this attempt's to remove.
        return request?.ResultConnectionId == pending.ConnectionId
            ? Failed(activity, StatusCodes.Status410Gone, title, message)
            : await AbandonAsync(activity, pending, StatusCodes.Status410Gone, title, message, cancellationToken);
    }

    /// <summary>Ends a failed callback: a connection created by this attempt and still empty is removed; an existing one is untouched.</summary>
    private async Task<AuthorizationResult> AbandonAsync(AuthorizationAttempt activity, PendingAuthorization pending, int status, string title, string message, CancellationToken cancellationToken)
    {
        if (pending.CreatedConnection && await store.GetAsync(pending.ConnectionId, cancellationToken) is { Status: ConnectionStatus.Pending, AccessToken: null })
        {
            await store.DeleteAsync(pending.ConnectionId, cancellationToken);
        }

        return Failed(activity, status, title, message);
    }

    private async Task RecordErrorAsync(string connectionId, string code, string? description, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(connectionId, cancellationToken) is { } row)
        {
            var now = time.GetUtcNow();
            await store.TryUpdateAsync(row with { LastError = new ConnectionError(code, description, now), UpdatedAt = now }, cancellationToken);
        }
    }

    /// <summary>
    /// Tokens minted for a connect that stores nothing must not stay alive at the provider: revoked best effort (RFC 7009
    /// §2; nothing is sent without a revocation endpoint), in the background so the person's page never waits on it. The
    /// client logs a failure; the connect has failed either way.
    /// </summary>
    private void RevokeInBackground(ProviderDefinition provider, TokenSet tokens, IReadOnlyDictionary<string, string> parameters) =>
        _ = Task.Run(() => revocations.RevokeAsync(provider, tokens.RefreshToken, tokens.AccessToken, CancellationToken.None, parameters));
}
