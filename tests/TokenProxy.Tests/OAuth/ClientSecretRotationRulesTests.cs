using Microsoft.Extensions.Logging.Abstractions;
using TokenProxy.Events;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.OAuth;

/// <summary>
/// The rules of <see cref="ClientSecretRotation"/> on a driven clock, with a provider stand-in that accepts a chosen set
/// of secrets: the order secrets are tried in, what is remembered, the periodic retry of the newest, the misconfigured
/// flag and its probe, and the events told once per episode.
/// </summary>
public sealed class ClientSecretRotationRulesTests
{
    private readonly DrivenClock _clock = new();
    private readonly MemoryEvents _events = new();
    private readonly ClientSecretRotation _rotation;
    private readonly List<string> _sent = [];
    private HashSet<string> _accepted = ["old"];

    public ClientSecretRotationRulesTests() => _rotation = new ClientSecretRotation(_clock, _events, NullLogger<ClientSecretRotation>.Instance);

    private static ProviderDefinition Provider(params string[] secrets) => new()
    {
        Name = "acme",
        DisplayName = "Acme",
        TokenHeader = TokenHeaderFormat.TryParse(TokenHeaderFormat.Default, out _)!,
        ClientId = "client",
        ClientSecret = secrets.FirstOrDefault(),
        ClientSecrets = secrets,
        TokenEndpointAuth = TokenEndpointAuth.ClientSecretBasic,
    };

    private Task<TokenFailure?> CallAsync(ProviderDefinition provider) =>
        _rotation.SendAsync<Outcome>(
            provider,
            (withSecret, _) =>
            {
                _sent.Add(withSecret.ClientSecret!);
                return Task.FromResult(new Outcome(_accepted.Contains(withSecret.ClientSecret!) ? null : TokenFailure.Rejected("invalid_client", "refused", 401)));
            },
            o => o.Failure,
            refused => new Outcome(refused),
            CancellationToken.None).ContinueWith(t => t.Result.Failure, TaskScheduler.Default);

    private sealed record Outcome(TokenFailure? Failure);

    [Fact]
    public async Task The_newest_is_tried_first_then_the_next_once_and_the_one_that_worked_is_remembered()
    {
        var provider = Provider("new", "old");

        var first = await CallAsync(provider);
        var second = await CallAsync(provider);

        Assert.Null(first);
        Assert.Null(second);
        Assert.Equal(["new", "old", "old"], _sent);
        Assert.Equal(new SecretStatus(1, 2, false), _rotation.StatusOf(provider));
        Assert.Equal(ClientSecretRotation.OlderSecretNotice, _rotation.StatusOf(provider).Notice);
    }

    [Fact]
    public async Task The_newest_is_tried_again_every_ten_minutes_and_taken_back_once_accepted()
    {
        var provider = Provider("new", "old");
        await CallAsync(provider);

        _clock.Advance(ClientSecretRotation.NewestRetryInterval - TimeSpan.FromSeconds(1));
        await CallAsync(provider);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await CallAsync(provider);
        await CallAsync(provider);
        _accepted = ["new", "old"];
        _clock.Advance(ClientSecretRotation.NewestRetryInterval);
        await CallAsync(provider);
        await CallAsync(provider);

        // Refused at first; within the interval straight to the old one; at 10 minutes the newest once, refused, then old.
        Assert.Equal(["new", "old", "old", "new", "old", "old", "new", "new"], _sent);
        Assert.Equal(new SecretStatus(0, 2, false), _rotation.StatusOf(provider));
        Assert.Null(_rotation.StatusOf(provider).Notice);
    }

    [Fact]
    public async Task Every_secret_refused_marks_the_provider_misconfigured_with_one_probe_per_interval_and_one_event_per_episode()
    {
        var provider = Provider("new", "old");
        _accepted = [];

        var refused = await CallAsync(provider);
        var meanwhile = await CallAsync(provider);
        _clock.Advance(ClientSecretRotation.ProbeInterval);
        var probe = await CallAsync(provider);
        var sentWhileMisconfigured = _sent.Count;
        _accepted = ["old"];
        var beforeProbe = await CallAsync(provider);
        _clock.Advance(ClientSecretRotation.ProbeInterval);
        var fixedProbe = await CallAsync(provider);
        var after = await CallAsync(provider);

        Assert.Equal(FailureKind.Misconfigured, refused!.Kind);
        Assert.Equal("provider_misconfigured", refused.Kind.ToWire());
        Assert.Equal(ClientSecretRotation.ProbeInterval, refused.RetryAfter);
        Assert.Equal(FailureKind.Misconfigured, meanwhile!.Kind);
        Assert.Equal(FailureKind.Misconfigured, probe!.Kind);
        // Two secrets on the first call, none in between, two on the probe.
        Assert.Equal(4, sentWhileMisconfigured);
        Assert.Equal(FailureKind.Misconfigured, beforeProbe!.Kind);
        Assert.Null(fixedProbe);
        Assert.Null(after);
        Assert.False(_rotation.StatusOf(provider).Misconfigured);
        Assert.Equal([EventTypes.ProviderMisconfigured, EventTypes.ProviderConfigured], _events.Types);
    }

    [Fact]
    public async Task A_second_episode_is_told_again_and_a_failure_that_is_not_invalid_client_tries_no_other_secret()
    {
        var provider = Provider("new", "old");
        _accepted = [];
        await CallAsync(provider);
        _accepted = ["new"];
        _clock.Advance(ClientSecretRotation.ProbeInterval);
        await CallAsync(provider);
        _accepted = [];
        await CallAsync(provider);
        var before = _sent.Count;
        var grantRefused = await _rotation.SendAsync<Outcome>(
            Provider("x", "y") with { Name = "other" }, (p, _) => { _sent.Add(p.ClientSecret!); return Task.FromResult(new Outcome(TokenFailure.Rejected("invalid_grant", null, 400))); },
            o => o.Failure, f => new Outcome(f), CancellationToken.None);

        Assert.Equal([EventTypes.ProviderMisconfigured, EventTypes.ProviderConfigured, EventTypes.ProviderMisconfigured], _events.Types);
        Assert.Equal("invalid_grant", grantRefused.Failure!.Error);
        Assert.Equal(["x"], _sent.Skip(before));
    }

    [Fact]
    public async Task New_secrets_in_the_configuration_start_again_from_the_newest_and_probe_at_once()
    {
        _accepted = [];
        await CallAsync(Provider("a", "b"));
        _accepted = ["c"];

        var fixedConfiguration = await CallAsync(Provider("c"));

        Assert.Null(fixedConfiguration);
        Assert.Equal(["a", "b", "c"], _sent);
        Assert.Equal([EventTypes.ProviderMisconfigured, EventTypes.ProviderConfigured], _events.Types);
    }

    /// <summary>An event log in memory that honours <see cref="NewEvent.Once"/>, newest first as the store pages it.</summary>
    private sealed class MemoryEvents : IEventStore
    {
        private readonly List<StoredEvent> _stored = [];
        private readonly HashSet<string> _once = [];

        public IEnumerable<string> Types => _stored.Select(e => e.Type);

        public event Action<long>? Appended;

        public Task AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
        {
            foreach (var e in events.Where(e => e.Once is null || _once.Add(e.Once)))
            {
                _stored.Add(new StoredEvent(_stored.Count + 1, $"e{_stored.Count + 1}", e.Type, DateTimeOffset.UnixEpoch, null, null, null, e.Provider, e.Actor, e.Data ?? []));
            }

            Appended?.Invoke(_stored.Count);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<StoredEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredEvent>>([.. _stored.Where(e => query.Type is null || e.Type == query.Type).Reverse().Take(query.Limit)]);

        public Task<int> PruneAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) => Task.FromResult(0);

        public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredEvent>>([.. _stored.Where(e => e.Sequence > afterSequence).Take(limit)]);
    }
}
