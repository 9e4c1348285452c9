using System.Collections.Concurrent;
using TokenProxy.Events;
using TokenProxy.Providers;

namespace TokenProxy.OAuth;

/// <summary>
/// Which of a provider's client secrets (newest first) authenticates the client, for every call that sends one: code
/// exchange, refresh, client credentials, revocation (docs/architecture.md §5, "Client secrets"). The secret in use is
/// tried first; on <c>invalid_client</c> the others, each once. The one that worked is remembered, so later calls go
/// straight to it, and the newest is tried again every <see cref="NewestRetryInterval"/>. When every secret is refused
/// the provider is misconfigured: no connection is blamed, calls answer <see cref="FailureKind.Misconfigured"/> without
/// reaching the provider, and one call every <see cref="ProbeInterval"/> asks again. The state is this instance's own.
/// </summary>
internal sealed class ClientSecretRotation(TimeProvider time, IEventStore events, ILogger<ClientSecretRotation> logger)
{
    /// <summary>How often the newest secret is tried again while an older one is in use.</summary>
    public static readonly TimeSpan NewestRetryInterval = TimeSpan.FromMinutes(10);

    /// <summary>How often a misconfigured provider is asked again (one round of its secrets), however many calls wait.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(30);

    /// <summary>What the providers page and <c>GET /admin/api/providers</c> say while an older secret is in use.</summary>
    public const string OlderSecretNotice =
        "The new client secret is rejected by the provider; still using the previous one. Check the new secret, or finish the rotation at the provider.";

    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What is known of a provider's secrets here: the position in use and whether all were refused.</summary>
    public SecretStatus StatusOf(ProviderDefinition provider)
    {
        if (!_states.TryGetValue(provider.Name, out var state) || !state.Secrets.SequenceEqual(provider.ClientSecrets))
        {
            return new SecretStatus(0, provider.ClientSecrets.Count, false);
        }

        lock (state)
        {
            return new SecretStatus(state.Current, state.Secrets.Count, state.Misconfigured);
        }
    }

    /// <summary>The names of the providers this instance last found refusing every client secret, in order.</summary>
    public IReadOnlyList<string> MisconfiguredProviders() =>
        [.. _states.Where(s => { lock (s.Value) { return s.Value.Misconfigured; } }).Select(s => s.Key).Order(StringComparer.Ordinal)];

    /// <summary>Whether the provider is configured with no client secret at all (so a refusal is not of a secret).</summary>
    public bool HasNoSecret(string provider) => _states.TryGetValue(provider, out var state) && state.Secrets.Count == 0;

    /// <summary>
    /// Runs <paramref name="call"/> with the provider's secret in use, and with the others on <c>invalid_client</c>.
    /// <paramref name="failureOf"/> reads a result's failure (null: success); <paramref name="misconfigured"/> makes the
    /// result for a provider whose every secret is refused.
    /// </summary>
    public async Task<T> SendAsync<T>(
        ProviderDefinition provider, Func<ProviderDefinition, CancellationToken, Task<T>> call, Func<T, TokenFailure?> failureOf,
        Func<TokenFailure, T> misconfigured, CancellationToken cancellationToken)
    {
        // A public client, or one that sends no secret: nothing to rotate, but a refused client id is still the provider's.
        var count = provider.TokenEndpointAuth == TokenEndpointAuth.None ? 0 : provider.ClientSecrets.Count;
        var state = StateOf(provider);
        var now = time.GetUtcNow();
        int first;
        lock (state)
        {
            if (state.Misconfigured)
            {
                if (now < state.NextProbe)
                {
                    return misconfigured(Refused(provider, state.NextProbe - now));
                }

                // This call is the probe; the others wait for its verdict until the next one.
                state.NextProbe = now + ProbeInterval;
            }

            first = state.Current;
            if (first > 0 && now - state.NewestTriedAt >= NewestRetryInterval)
            {
                first = 0;
                state.NewestTriedAt = now;
            }
        }

        var tried = new HashSet<int>();
        var next = first;
        T result;
        while (true)
        {
            tried.Add(next);
            var attempt = count == 0 ? provider : provider with { ClientSecret = provider.ClientSecrets[next] };
            result = await call(attempt, cancellationToken);
            var failure = failureOf(result);
            if (failure is { Kind: FailureKind.Transient })
            {
                // Not a verdict on the client: nothing learnt, nothing else tried.
                return result;
            }

            if (!IsClientRejection(failure))
            {
                await AcceptedAsync(provider, state, next, count);
                return result;
            }

            if (count == 0 || NextCandidate(state, tried, count) is not { } candidate)
            {
                break;
            }

            next = candidate;
        }

        await AllRefusedAsync(provider, state);
        return misconfigured(Refused(provider, ProbeInterval));
    }

    /// <summary>
    /// RFC 6749 §5.2: <c>invalid_client</c> is the client's authentication refused (400 or 401, or inside a 200 as GitHub
    /// sends its errors; GitHub names it <c>incorrect_client_credentials</c>).
    /// </summary>
    public static bool IsClientRejection(TokenFailure? failure) =>
        failure is { Kind: FailureKind.Rejected, Error: "invalid_client" or "incorrect_client_credentials" };

    /// <summary>The secret another call meanwhile found to work, else the next one in order not yet tried.</summary>
    private static int? NextCandidate(State state, HashSet<int> tried, int count)
    {
        lock (state)
        {
            if (!tried.Contains(state.Current))
            {
                return state.Current;
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (!tried.Contains(i))
            {
                return i;
            }
        }

        return null;
    }

    private async Task AcceptedAsync(ProviderDefinition provider, State state, int position, int count)
    {
        bool moved, recovered;
        lock (state)
        {
            moved = count > 0 && state.Current != position;
            recovered = state.Misconfigured;
            state.Current = count > 0 ? position : 0;
            state.Misconfigured = false;
            if (moved && position > 0)
            {
                // The newest was refused just now: the next try of it is one interval from here.
                state.NewestTriedAt = time.GetUtcNow();
            }
        }

        if (moved && position > 0)
        {
            Log.OlderClientSecretInUse(logger, provider.Name, position + 1, count);
        }
        else if (moved)
        {
            Log.NewestClientSecretInUse(logger, provider.Name, count);
        }

        if (recovered || !state.LogChecked)
        {
            state.LogChecked = true;
            await ConfiguredAsync(provider.Name, told: recovered);
        }
    }

    private async Task AllRefusedAsync(ProviderDefinition provider, State state)
    {
        bool first;
        var now = time.GetUtcNow();
        lock (state)
        {
            first = !state.Misconfigured;
            state.Misconfigured = true;
            state.NextProbe = now + ProbeInterval;
        }

        if (!first)
        {
            return;
        }

        Log.ProviderMisconfigured(logger, provider.Name, Math.Max(provider.ClientSecrets.Count, 1));
        // Once per episode across instances: the key names the last provider.configured event before it.
        var since = await LastSequenceAsync(EventTypes.ProviderConfigured, provider.Name);
        var data = new System.Text.Json.Nodes.JsonObject { ["secrets"] = provider.ClientSecrets.Count };
        await AppendAsync(new NewEvent(
            EventTypes.ProviderMisconfigured, EventTypes.ActorBackground, Provider: provider.Name, Data: data,
            Once: $"{EventTypes.ProviderMisconfigured} {provider.Name} {since}"));
    }

    /// <summary>
    /// A secret worked: if this instance, or another one before a restart with fixed configuration, last told the
    /// provider misconfigured, tell it configured (once per episode).
    /// </summary>
    private async Task ConfiguredAsync(string provider, bool told)
    {
        var misconfigured = await LastSequenceAsync(EventTypes.ProviderMisconfigured, provider);
        if (misconfigured is null || (!told && await LastSequenceAsync(EventTypes.ProviderConfigured, provider) > misconfigured))
        {
            return;
        }

        if (told)
        {
            Log.ProviderConfigured(logger, provider);
        }

        await AppendAsync(new NewEvent(
            EventTypes.ProviderConfigured, EventTypes.ActorBackground, Provider: provider, Once: $"{EventTypes.ProviderConfigured} {provider} {misconfigured}"));
    }

    private async Task<long?> LastSequenceAsync(string type, string provider)
    {
        try
        {
            var page = await events.QueryAsync(new EventQuery(Type: type, Limit: 200), CancellationToken.None);
            return page.FirstOrDefault(e => string.Equals(e.Provider, provider, StringComparison.OrdinalIgnoreCase))?.Sequence;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.ProviderEventNotRecorded(logger, type, provider, e);
            return null;
        }
    }

    /// <summary>Best effort: a store that cannot be written must not fail the call that noticed; the log says so.</summary>
    private async Task AppendAsync(NewEvent told)
    {
        try
        {
            await events.AppendAsync([told], CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.ProviderEventNotRecorded(logger, told.Type, told.Provider!, e);
        }
    }

    private static TokenFailure Refused(ProviderDefinition provider, TimeSpan retryAfter) => new(
        FailureKind.Misconfigured, "invalid_client",
        provider.ClientSecrets.Count == 0 && provider.TokenEndpointAuth != TokenEndpointAuth.None
            ? $"{provider.DisplayName} refused the client, and no client secret is configured: set TokenProxy:Providers:{provider.Name}:ClientSecret, or TokenEndpointAuth none for a public client"
            : $"{provider.DisplayName} refused every configured client secret; check the provider's ClientSecrets",
        retryAfter);

    private State StateOf(ProviderDefinition provider)
    {
        var state = _states.GetOrAdd(provider.Name, _ => new State(provider.ClientSecrets));
        if (state.Secrets.SequenceEqual(provider.ClientSecrets))
        {
            return state;
        }

        // The configuration changed (new secrets): start again from the newest, and a misconfigured flag is asked again now.
        var fresh = new State(provider.ClientSecrets) { Misconfigured = state.Misconfigured, LogChecked = state.LogChecked };
        return _states.TryUpdate(provider.Name, fresh, state) ? fresh : _states[provider.Name];
    }

    /// <summary>One provider's secrets as this instance knows them; fields read and written under its lock.</summary>
    private sealed class State(IReadOnlyList<string> secrets)
    {
        public IReadOnlyList<string> Secrets { get; } = secrets;

        public int Current { get; set; }

        public DateTimeOffset NewestTriedAt { get; set; } = DateTimeOffset.MinValue;

        public bool Misconfigured { get; set; }

        public DateTimeOffset NextProbe { get; set; } = DateTimeOffset.MinValue;

        public bool LogChecked { get; set; }
    }
}
