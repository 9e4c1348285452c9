using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Tokens;

/// <summary>In steady state a proxied request reads nothing from the store and decrypts nothing.</summary>
public sealed class HotPathTests
{
    [Fact]
    public async Task Steady_state_requests_do_no_store_read()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        CountingStore? counting = null;
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", upstream.Address), services =>
        {
            var inner = services.Single(d => d.ServiceType == typeof(IConnectionStore));
            services.Remove(inner);
            services.AddSingleton<IConnectionStore>(sp => counting = new CountingStore((IConnectionStore)inner.ImplementationFactory!(sp)));
        });
        await proxy.ImportAsync("acme", Canary.New("access"));

        await proxy.Client.GetAsync("/acme/warm-up");
        var readsAfterWarmUp = counting!.Reads;
        for (var i = 0; i < 200; i++)
        {
            using var response = await proxy.Client.GetAsync($"/acme/item/{i}");
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(1, readsAfterWarmUp);
        Assert.Equal(readsAfterWarmUp, counting.Reads);
        Assert.Equal(201, upstream.Requests.Count);
    }

    /// <summary>Counts reads that could serve a token lookup; writes pass through.</summary>
    private sealed class CountingStore(IConnectionStore inner) : IConnectionStore
    {
        private int _reads;

        public event Action<string>? Changed
        {
            add => inner.Changed += value;
            remove => inner.Changed -= value;
        }

        public int Reads => _reads;

        public string Description => inner.Description;

        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public Task<bool> PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

        public Task<ConnectionRow?> GetAsync(string id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return inner.GetAsync(id, cancellationToken);
        }

        public Task<ConnectionRow?> FindAsync(string provider, string idOrLabel, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            return inner.FindAsync(provider, idOrLabel, cancellationToken);
        }

        public Task<IReadOnlyList<ConnectionRow>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<bool> TryInsertAsync(ConnectionRow row, CancellationToken cancellationToken) => inner.TryInsertAsync(row, cancellationToken);

        public Task<ConnectionRow?> TryUpdateAsync(ConnectionRow row, CancellationToken cancellationToken) => inner.TryUpdateAsync(row, cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => inner.DeleteAsync(id, cancellationToken);

        public Task<T> RunExclusiveAsync<T>(string id, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken) =>
            inner.RunExclusiveAsync(id, action, cancellationToken);

        public Task SavePendingAsync(PendingAuthorization pending, CancellationToken cancellationToken) => inner.SavePendingAsync(pending, cancellationToken);

        public Task<PendingAuthorization?> TakePendingAsync(string stateHash, CancellationToken cancellationToken) => inner.TakePendingAsync(stateHash, cancellationToken);

        public Task PurgeExpiredPendingAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.PurgeExpiredPendingAsync(now, cancellationToken);
    }
}
