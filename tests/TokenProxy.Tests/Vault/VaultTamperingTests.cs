using System.Net;
using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault;

/// <summary>Threat: someone with write access to the database alters or moves ciphertext (docs/architecture.md §6: E25).</summary>
public sealed class VaultTamperingTests
{
    public static TheoryData<string> Tamperings() => ["flip a bit", "truncate", "move from another connection"];

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Tampered_ciphertext_fails_closed_and_the_connection_reports_error(string tampering)
    {
        var victimToken = Canary.New("victim");
        var otherToken = Canary.New("other");
        await using var scenario = await ProxyScenario.StartAsync();
        var victim = (await scenario.Proxy.ImportAsync("acme", victimToken, label: "victim")).GetProperty("id").GetString()!;
        await scenario.Proxy.ImportAsync("acme", otherToken, label: "other");
        await scenario.StopAsync();

        await TamperAsync(scenario.Proxy.DatabasePath, victim, tampering);

        var restarted = await scenario.RestartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/user");
        request.Headers.Add("TokenProxy-Connection", "victim");
        using var response = await restarted.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var connection = await restarted.Client.GetStringAsync($"/admin/api/connections/{victim}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("reconnect_required", response.Headers.GetValues("TokenProxy-Error").Single());
        Assert.Contains("cannot be decrypted", body, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"error\"", connection, StringComparison.Ordinal);
        Assert.Contains("The stored credentials cannot be decrypted.", connection, StringComparison.Ordinal);
        Assert.Empty(scenario.Api.Requests);
        foreach (var secret in new[] { victimToken, otherToken })
        {
            Canary.AssertAbsent(secret, body + connection + restarted.Logs.All, "errors and logs");
        }
    }

    private static async Task TamperAsync(string database, string victim, string tampering)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = tampering switch
        {
            // Base64 text: changing one character flips bits of the ciphertext or tag.
            "flip a bit" => "UPDATE connections SET access_token = substr(access_token, 1, 20) || CASE substr(access_token, 21, 1) WHEN 'A' THEN 'B' ELSE 'A' END || substr(access_token, 22) WHERE id = $id",
            "truncate" => "UPDATE connections SET access_token = substr(access_token, 1, length(access_token) - 8) WHERE id = $id",
            _ => "UPDATE connections SET access_token = (SELECT access_token FROM connections WHERE id <> $id) WHERE id = $id",
        };
        command.Parameters.AddWithValue("$id", victim);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
