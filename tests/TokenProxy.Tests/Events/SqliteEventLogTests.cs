using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Events;

/// <summary>The event log on the embedded store, and what only it does here: rotate the vault key from the proxy.</summary>
public sealed class SqliteEventLogTests : EventLogTests
{
    private protected override void UseStore(Dictionary<string, string?> settings)
    {
    }

    [Fact]
    public async Task A_vault_key_rotation_is_told_with_key_ids_only()
    {
        await Scenario.ImportAsync();

        using var rotate = await Scenario.Proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));

        var answer = await rotate.Content.ReadFromJsonAsync<JsonElement>();
        var rotated = Assert.Single((await PageAsync("?type=vault.key_rotated")).Items);
        Assert.Equal(answer.GetProperty("activeKeyId").GetString(), rotated.GetProperty("data").GetProperty("activeKeyId").GetString());
        Assert.Equal(1, rotated.GetProperty("data").GetProperty("resealed").GetInt32());
    }
}
