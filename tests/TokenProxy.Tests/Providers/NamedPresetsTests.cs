using System.Net;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Providers;

/// <summary>
/// The services users name, each a shipped preset offering the credential kind that service hands out: a person imports
/// one with no configuration at all, as README promises for every preset ("imported tokens (personal access tokens,
/// API keys) work with no configuration at all").
/// </summary>
public sealed class NamedPresetsTests : IAsyncLifetime
{
    private ProxyHost _proxy = null!;

    public async Task InitializeAsync() => _proxy = await ProxyHost.StartAsync();

    public Task DisposeAsync() => _proxy.DisposeAsync().AsTask();

    [Theory]
    [InlineData("stripe", "apikey", null)]
    [InlineData("openai", "apikey", null)]
    [InlineData("anthropic", "apikey", null)]
    [InlineData("sendgrid", "apikey", null)]
    [InlineData("twilio", "basic", "accountSid=AC0123456789abcdef0123456789abcdef")]
    [InlineData("freshdesk", "apikey", "domain")]
    [InlineData("zendesk", "basic", "subdomain")]
    [InlineData("xero", "bearer", "tenantId=8a1b2c3d-0000-4000-8000-000000000001")]
    [InlineData("clickup", "bearer", null)]
    [InlineData("miro", "bearer", null)]
    public async Task A_named_service_ships_as_a_preset_that_takes_its_credential_kind(string preset, string kind, string? parameter)
    {
        // Freshdesk takes its API key as Basic credentials: the preset may offer either kind; the import below uses the one named.
        // Twilio's base ends in the account's SID and Xero's requests name the organisation: an import gives them (name=value).
        var parameters = parameter?.Split('=') switch
        {
            null => null,
            [var name, var value] => new Dictionary<string, string> { [name] = value },
            [var name] => new Dictionary<string, string> { [name] = "acme" },
            _ => throw new ArgumentException(parameter),
        };
        object body = kind switch
        {
            "apikey" => new { provider = preset, apiKey = "key-from-the-service", parameters },
            "basic" => new { provider = preset, username = "account@example.com/token", password = "secret-from-the-service", parameters },
            _ => new { provider = preset, accessToken = "token-from-the-service", parameters },
        };

        using var response = await _proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections", body));

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{preset}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
