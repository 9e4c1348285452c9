namespace TokenProxy.Tests.Links;

/// <summary>Connect requests on the embedded SQLite store.</summary>
public sealed class SqliteConnectRequestTests : ConnectRequestTests
{
    private protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());
}
