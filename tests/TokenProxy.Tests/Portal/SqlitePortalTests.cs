namespace TokenProxy.Tests.Portal;

/// <summary>The client portal on the embedded SQLite store.</summary>
public sealed class SqlitePortalTests : PortalTests
{
    private protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    private protected override Task TearDownAsync() => Task.CompletedTask;
}
