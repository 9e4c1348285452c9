using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Vault.Sqlite;

namespace TokenProxy.Tests.Admin;

/// <summary>Workspaces and end users on the embedded SQLite store.</summary>
public sealed class SqliteWorkspacesTests : WorkspacesTests
{
    private protected override Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    private protected override Task TearDownAsync() => Task.CompletedTask;

    private protected override async Task DowngradeToBeforeWorkspacesAsync(ProxyHost stopped, string then)
    {
        await using var connection = new SqliteConnection($"Data Source={stopped.DatabasePath};Pooling=false");
        await connection.OpenAsync();
        await using var downgrade = connection.CreateCommand();
        downgrade.CommandText = SqliteConnectionStoreTests.BeforeWorkspaces + then;
        await downgrade.ExecuteNonQueryAsync();
    }
}
