using System.Net;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.Tokens;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>
/// Client-credentials connections on PostgreSQL, two instances sharing the store, against the real oidc-provider: the
/// row holds the kind and no refresh token, and 401s through both instances at once run the grant once.
/// </summary>
[Collection(PostgresTests.Collection)]
public sealed class ClientCredentialsSharedStoreTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Connection_created_on_one_instance_is_renewed_once_when_both_instances_get_401s_at_once()
    {
        const int perInstance = 10;
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(directory), VaultKey.Generate());
            await using var scenario = await ClientCredentialsScenario.StartAsync(configure: Postgres, dataDirectory: directory);
            var settings = ClientCredentialsScenario.Settings(scenario.Server, scenario.Api.Address);
            Postgres(settings);
            await using var other = await ProxyHost.StartAsync(settings, dataDirectory: directory);

            await scenario.CreatedAsync();
            (await scenario.CallAsync()).Dispose();
            var first = scenario.LastToken;
            scenario.RefuseOnceAllHoldIt(first, 2 * perInstance);

            var responses = await Task.WhenAll(Enumerable.Range(0, perInstance).SelectMany(_ => new[] { scenario.CallAsync(), scenario.CallAsync(through: other) }));

            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(2, await scenario.GrantsAsync());
            Assert.Equal("clientcredentials", await _database.ScalarAsync<string>("SELECT credential_kind FROM connections"));
            Assert.True(await _database.ScalarAsync<bool>("SELECT refresh_token IS NULL FROM connections"));
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private void Postgres(Dictionary<string, string?> settings)
    {
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        settings["TokenProxy:Refresh:Background"] = "false";
    }
}
