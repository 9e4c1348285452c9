using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenProxy.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>A <see cref="CredentialCache"/> outside the host, with default options unless told. Shared with the benchmarks.</summary>
internal static class Caches
{
    public static CredentialCache For(IConnectionStore store, TimeProvider? time = null, TimeSpan? maxStaleness = null)
    {
        var options = new StoreOptions();
        options.MaxStaleness = maxStaleness ?? options.MaxStaleness;
        return new CredentialCache(store, time ?? TimeProvider.System, Options.Create(options), NullLogger<CredentialCache>.Instance);
    }
}
