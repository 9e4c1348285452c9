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

    [Fact]
    public async Task Vault_import_reads_names_and_older_numbers_and_says_in_words_what_it_cannot_read()
    {
        // Files written before names hold the enum's number (2: apikey); a value no version wrote is refused in words that
        // name the field and the kinds, never in the parser's own (.NET type names, "could not be converted").
        var settings = ProxyHost.Provider("acme", _api.Address);
        await using (var proxy = await ProxyHost.StartAsync(settings, dataDirectory: _directory))
        {
            await proxy.ImportAsync("acme", Canary.New("access"));
        }
        var file = Path.Combine(_directory, "connections.json");
        Assert.Equal(0, (await RunAsync("export", file, $"--TokenProxy:DataDirectory={_directory}")).Code);
        var exported = JsonNode.Parse(await File.ReadAllTextAsync(file))!;

        var older = await ImportWithKindAsync(exported, JsonValue.Create(2));
        var named = await ImportWithKindAsync(exported, JsonValue.Create("bearer"));
        var unknown = await ImportWithKindAsync(exported, JsonValue.Create("weird"));
        var mistyped = await ImportWithKindAsync(exported, JsonValue.Create(true));

        Assert.Equal((0, "\"apikey\""), (older.Code, older.Kind));
        Assert.Equal((0, "\"bearer\""), (named.Code, named.Kind));
        Assert.Equal(2, unknown.Code);
        Assert.Contains("credentialKind \"weird\" is not a kind this TokenProxy knows (oauth2, bearer, apikey, basic, clientcredentials)", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, mistyped.Code);
        Assert.Contains("credentialKind", mistyped.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", mistyped.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("could not be converted", mistyped.Error, StringComparison.Ordinal);
    }

    /// <summary>Imports <paramref name="export"/> with its first row's kind replaced into a new store; the kind that store then exports.</summary>
    private async Task<(int Code, string Error, string? Kind)> ImportWithKindAsync(JsonNode export, JsonNode kind)
    {
        var copy = export.DeepClone();
        copy["connections"]![0]!["credentialKind"] = kind;
        var file = Path.Combine(_directory, $"tampered-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, copy.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            var import = await RunAsync("import", file, $"--TokenProxy:DataDirectory={target}");
            if (import.Code != 0)
            {
                return (import.Code, import.Error, null);
            }

            var again = Path.Combine(target, "again.json");
            Assert.Equal(0, (await RunAsync("export", again, $"--TokenProxy:DataDirectory={target}")).Code);
            return (0, import.Error, JsonNode.Parse(await File.ReadAllTextAsync(again))!["connections"]![0]!["credentialKind"]!.ToJsonString());
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.RunAsync(["vault", .. arguments], TextReader.Null, output, error, CancellationToken.None);
        return (code, error.ToString());
    }
}
