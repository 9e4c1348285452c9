using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Cli;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// <c>vault export</c> / <c>vault import</c>: connections move from the SQLite store to PostgreSQL with their tokens
/// still sealed — nothing is decrypted on the way, the file holds no plaintext — and work there with the same key.
/// </summary>
[Collection(PostgresTests.Collection)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VaultCommandTests(PostgresServer server) : IAsyncLifetime
{
    private readonly string _directory = ProxyHost.NewDataDirectory();
    private PostgresDatabase _database = null!;
    private RecordingUpstream _api = null!;

    private string ExportFile => Path.Combine(_directory, "connections.json");

    private string[] Postgres => ["--TokenProxy:Store:Kind=Postgres", $"--TokenProxy:Store:ConnectionString={_database.ConnectionString}"];

    public async Task InitializeAsync()
    {
        _database = await server.CreateDatabaseAsync();
        _api = await RecordingUpstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _database.DisposeAsync();
        ProxyHost.DeleteDataDirectory(_directory);
    }

    [Fact]
    public async Task Connections_move_from_sqlite_to_postgres_still_sealed_and_work_there_with_the_same_key()
    {
        var (personal, work, refresh) = (Canary.New("access"), Canary.New("access"), Canary.New("refresh"));
        string[] ids;
        await using (var sqlite = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: _directory))
        {
            ids =
            [
                (await sqlite.ImportAsync("acme", personal)).GetProperty("id").GetString()!,
                (await sqlite.ImportAsync("acme", work, label: "work", refreshToken: refresh, expiresIn: 3600)).GetProperty("id").GetString()!,
            ];
        }

        var export = await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}");
        var import = await RunAsync(["import", ExportFile, .. Postgres]);
        var again = await RunAsync(["import", ExportFile, .. Postgres]);

        Assert.Equal((0, string.Empty), (export.Code, export.Error));
        Assert.Contains("Exported 2 connection(s)", export.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ExportFile));
        var file = await File.ReadAllTextAsync(ExportFile);
        foreach (var secret in new[] { personal, work, refresh })
        {
            Canary.AssertAbsent(secret, file, "the export file");
        }

        Assert.Equal((0, string.Empty), (import.Code, import.Error));
        Assert.Contains("Imported 2 connection(s)", import.Output, StringComparison.Ordinal);
        Assert.Contains("sealed with vault key id", import.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.Code);
        Assert.Contains("Imported 0 connection(s)", again.Output, StringComparison.Ordinal);
        Assert.Contains("2 were already there", again.Output, StringComparison.Ordinal);

        // The same key file, now on PostgreSQL: same ids, and the proxy opens and sends the very same tokens.
        var settings = ProxyHost.Provider("acme", _api.Address);
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        // A provider that can refresh, so canRefresh below says whether the refresh token came along.
        settings["TokenProxy:Providers:acme:ClientId"] = "acme-client";
        settings["TokenProxy:Providers:acme:AuthorizationUrl"] = new Uri(_api.Address, "/authorize").AbsoluteUri;
        settings["TokenProxy:Providers:acme:TokenUrl"] = new Uri(_api.Address, "/token").AbsoluteUri;
        await using var postgres = await ProxyHost.StartAsync(settings, dataDirectory: _directory);
        var listed = JsonDocument.Parse(await postgres.Client.GetStringAsync("/admin/api/connections")).RootElement;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/user");
        request.Headers.Add("TokenProxy-Connection", "work");
        using var response = await postgres.Client.SendAsync(request);
        using var byDefault = await postgres.Client.GetAsync("/acme/user");

        Assert.Equal(ids.Order(), listed.EnumerateArray().Select(c => c.GetProperty("id").GetString()!).Order());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byDefault.StatusCode);
        Assert.Equal([$"Bearer {work}", $"Bearer {personal}"], _api.Requests.Select(r => r.Header("Authorization")));
        Assert.True(listed.EnumerateArray().Single(c => c.GetProperty("label").GetString() == "work").GetProperty("canRefresh").GetBoolean());
    }

    [Fact]
    public async Task A_connection_moves_with_its_workspace_and_end_user_and_the_workspaces_move_with_their_names()
    {
        var token = Canary.New("access");
        await using (var sqlite = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: _directory))
        {
            using var created = await sqlite.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme-co", displayName = "Acme Co" }));
            using var empty = await sqlite.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "initech", displayName = "Initech" }));
            using var imported = await sqlite.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/connections",
                new { provider = "acme", workspace = "acme-co", endUser = new { id = "alice", email = "alice@example.com" }, accessToken = token }));
            Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        }

        Assert.Equal(0, (await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}")).Code);
        Assert.Equal(0, (await RunAsync(["import", ExportFile, .. Postgres])).Code);
        var settings = ProxyHost.Provider("acme", _api.Address);
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        await using var postgres = await ProxyHost.StartAsync(settings, dataDirectory: _directory);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/acme/user");
        request.Headers.Add("TokenProxy-Workspace", "acme-co");
        request.Headers.Add("TokenProxy-End-User", "alice");
        using var response = await postgres.Client.SendAsync(request);
        var workspace = JsonDocument.Parse(await postgres.Client.GetStringAsync("/admin/api/workspaces/acme-co")).RootElement;
        var withoutConnections = JsonDocument.Parse(await postgres.Client.GetStringAsync("/admin/api/workspaces/initech")).RootElement;
        var connection = JsonDocument.Parse(await postgres.Client.GetStringAsync("/admin/api/connections")).RootElement[0];

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"Bearer {token}", Assert.Single(_api.Requests).Header("Authorization"));
        Assert.Equal(1, workspace.GetProperty("connections").GetInt32());
        Assert.Equal("Acme Co", workspace.GetProperty("displayName").GetString());
        Assert.Equal("Initech", withoutConnections.GetProperty("displayName").GetString());
        Assert.Equal("alice@example.com", connection.GetProperty("endUser").GetProperty("email").GetString());
    }

    [Fact]
    public async Task Import_leaves_a_label_another_connection_holds_alone_and_says_so()
    {
        await using (var sqlite = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: _directory))
        {
            await sqlite.ImportAsync("acme", Canary.New("access"));
        }

        Assert.Equal(0, (await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}")).Code);
        var settings = ProxyHost.Provider("acme", _api.Address);
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        await using (var postgres = await ProxyHost.StartAsync(settings, dataDirectory: _directory))
        {
            await postgres.ImportAsync("acme", "already-here");
        }

        var import = await RunAsync(["import", ExportFile, .. Postgres]);

        Assert.Equal(1, import.Code);
        Assert.Contains("acme/default", import.Error, StringComparison.Ordinal);
        Assert.Contains("Imported 0 connection(s)", import.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_never_overwrites_a_file_and_bad_usage_says_how()
    {
        await File.WriteAllTextAsync(ExportFile, "keep me");

        var export = await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}");
        var usage = await RunAsync("copy");
        var notAnExport = await RunAsync(["import", ExportFile, .. Postgres]);

        Assert.Equal(2, export.Code);
        Assert.Contains("never overwrites", export.Error, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(ExportFile));
        Assert.Equal(2, usage.Code);
        Assert.Contains("vault export FILE", usage.Error, StringComparison.Ordinal);
        Assert.Equal(2, notAnExport.Code);
        Assert.Contains("Not a TokenProxy vault export", notAnExport.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_of_an_unknown_credential_kind_is_refused_with_a_message_not_an_exception()
    {
        await using (var sqlite = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: _directory))
        {
            await sqlite.ImportAsync("acme", Canary.New("access"));
        }
        Assert.Equal(0, (await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}")).Code);
        var export = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        export["connections"]![0]!["credentialKind"] = 99;
        var tampered = Path.Combine(_directory, "tampered.json");
        await File.WriteAllTextAsync(tampered, export.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            var import = await RunAsync("import", tampered, $"--TokenProxy:DataDirectory={target}");

            Assert.Equal(2, import.Code);
            Assert.Contains("credentialKind", import.Error, StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    [Fact]
    public async Task An_export_written_before_credential_kinds_imports_a_token_without_refresh_token_as_bearer()
    {
        // README: connections stored before credential kinds existed read as oauth2 when they hold a refresh token or
        // came from a connect, else bearer. An export from then has no credentialKind field.
        string id;
        await using (var sqlite = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: _directory))
        {
            id = (await sqlite.ImportAsync("acme", Canary.New("access"))).GetProperty("id").GetString()!;
        }

        Assert.Equal(0, (await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}")).Code);
        var export = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        export["connections"]![0]!.AsObject().Remove("credentialKind");
        var older = Path.Combine(_directory, "older.json");
        await File.WriteAllTextAsync(older, export.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            Assert.Equal(0, (await RunAsync("import", older, $"--TokenProxy:DataDirectory={target}")).Code);
            Directory.CreateDirectory(Path.GetDirectoryName(ProxyHost.KeyFileFor(target))!);
            File.Copy(ProxyHost.KeyFileFor(_directory), ProxyHost.KeyFileFor(target));
            File.SetUnixFileMode(ProxyHost.KeyFileFor(target), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var moved = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: target);

            var connection = await moved.Client.GetFromJsonAsync<JsonElement>($"/admin/api/connections/{id}");

            Assert.Equal("bearer", connection.GetProperty("credentialKind").GetString());
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.RunAsync(["vault", .. arguments], TextReader.Null, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
