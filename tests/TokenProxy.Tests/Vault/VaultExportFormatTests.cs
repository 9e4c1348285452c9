using System.Text.Json.Nodes;
using TokenProxy.Cli;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// The file <c>vault export</c> writes is read by people and by other versions of TokenProxy: it names things as the
/// connection JSON of the admin API does.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VaultExportFormatTests : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private RecordingUpstream _api = null!;

    public async Task InitializeAsync() => _api = await RecordingUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_directory);
    }

    [Fact]
    public async Task Vault_export_names_each_credential_kind_as_the_connection_json_does()
    {
        // A number is the position of a member in the code's enum: it means nothing to a reader, and it changes meaning
        // if the kinds are ever reordered, while the admin API says "bearer", "apikey", "basic".
        var settings = ProxyHost.Provider("acme", _api.Address);
        settings["TokenProxy:Providers:keyed:ApiBaseUrl"] = _api.Address.AbsoluteUri;
        settings["TokenProxy:Providers:keyed:Auth"] = "ApiKey";
        settings["TokenProxy:Providers:keyed:ApiKey:Header"] = "X-Api-Key";
        await using (var proxy = await ProxyHost.StartAsync(settings, dataDirectory: _directory))
        {
            await proxy.ImportAsync("acme", Canary.New("access"));
            using var key = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                new { provider = "keyed", label = "default", apiKey = Canary.New("apikey") }));
            Assert.Equal(System.Net.HttpStatusCode.Created, key.StatusCode);
        }
        var file = Path.Combine(_directory, "connections.json");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CommandLine.RunAsync(["vault", "export", file, $"--TokenProxy:DataDirectory={_directory}"],
            TextReader.Null, output, error, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        var kinds = JsonNode.Parse(await File.ReadAllTextAsync(file))!["connections"]!.AsArray()
            .ToDictionary(row => row!["provider"]!.GetValue<string>(), row => row!["credentialKind"]!.ToJsonString());
        Assert.Equal("\"bearer\"", kinds["acme"]);
        Assert.Equal("\"apikey\"", kinds["keyed"]);
    }
}
