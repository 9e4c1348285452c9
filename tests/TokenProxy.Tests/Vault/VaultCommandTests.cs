using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Cli;
using TokenProxy.Vault;

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

    private string[] Postgres => ["--TokenProxy:Store:Kind=Postgres", $"--TokenProxy:Store:ConnectionString={_database.ConnectionString}", .. At(_directory)];

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

        await ExportAsync();
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
        await StoreAsync(_directory);

        await ExportAsync();
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
        await StoreAsync(_directory);
        await ExportAsync();
        var export = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        export["connections"]![0]!["credentialKind"] = 99;
        var tampered = Path.Combine(_directory, "tampered.json");
        await File.WriteAllTextAsync(tampered, export.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            var import = await RunAsync(["import", tampered, .. At(target)]);

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
        var id = (await StoreAsync(_directory)).Single();

        await ExportAsync();
        var export = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        export["connections"]![0]!.AsObject().Remove("credentialKind");
        var older = Path.Combine(_directory, "older.json");
        await File.WriteAllTextAsync(older, export.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            Assert.Equal(0, (await RunAsync(["import", older, .. At(target)])).Code);
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

    [Fact]
    public async Task Import_refuses_tokens_sealed_with_a_key_the_destination_lacks_and_the_destination_still_starts()
    {
        // Rows sealed with a key the destination's key list lacks would stop every start on it, and every command.
        await StoreAsync(_directory, "moved");

        await ExportAsync();
        var target = ProxyHost.NewDataDirectory();
        try
        {
            await StoreAsync(target);

            var import = await RunAsync(["import", ExportFile, .. At(target)]);
            var sourceKey = VaultInitializer.ReadKeyFile(ProxyHost.KeyFileFor(_directory)).Single().Id;

            Assert.Equal(2, import.Code);
            Assert.Contains($"sealed with vault key id {sourceKey}, which {ProxyHost.KeyFileFor(target)}", import.Error, StringComparison.Ordinal);
            Assert.Contains("Nothing was imported.", import.Error, StringComparison.Ordinal);
            Assert.Equal(string.Empty, import.Output);
            await using var restarted = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: target);
            var labels = JsonDocument.Parse(await restarted.Client.GetStringAsync("/admin/api/connections")).RootElement.EnumerateArray().Select(c => c.GetProperty("label").GetString());
            Assert.Equal(["default"], labels);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    [Fact]
    public async Task Import_into_a_store_without_a_key_yet_is_allowed_but_not_beside_rows_sealed_with_another_key()
    {
        // A new machine: the rows come first, the key file after ("start TokenProxy there with that key").
        await StoreAsync(_directory, "moved");

        await ExportAsync();
        var fresh = ProxyHost.NewDataDirectory();
        var other = ProxyHost.NewDataDirectory();
        try
        {
            var intoNew = await RunAsync(["import", ExportFile, .. At(fresh)]);
            await StoreAsync(other);

            // The destination's key file is not where this command looks: it cannot check the keys, and the rows differ.
            File.Move(ProxyHost.KeyFileFor(other), Path.Combine(other, "elsewhere.key"));
            var beside = await RunAsync(["import", ExportFile, .. At(other)]);

            Assert.Equal(0, intoNew.Code);
            Assert.Contains("Imported 1 connection(s)", intoNew.Output, StringComparison.Ordinal);
            Assert.Equal(2, beside.Code);
            Assert.Contains("no key list is given here", beside.Error, StringComparison.Ordinal);
            Assert.Contains("Nothing was imported.", beside.Error, StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(fresh);
            ProxyHost.DeleteDataDirectory(other);
        }
    }

    [Fact]
    public async Task Import_refuses_a_file_with_rows_the_admin_api_would_refuse_naming_each_and_writing_nothing()
    {
        await StoreAsync(_directory, "one", "two", "three", "four", "five", "six", "seven");

        await ExportAsync();
        var export = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        var rows = export["connections"]!.AsArray();
        rows[0]!["id"] = "../../etc";
        rows[1]!["label"] = "bad label!";
        rows[2]!["workspace"] = "bad ws!";
        rows[3]!["endUser"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "bad user !!" };
        rows[4]!["provider"] = "Not A Provider";
        // Not sealed: stored as it is, it would be a plaintext token at rest, and a value no key opens.
        rows[5]!["accessToken"] = ":" + rows[5]!["accessToken"]!.GetValue<string>().Split(':')[1];
        rows[6]!["label"] = rows[5]!["label"]!.GetValue<string>();
        var edited = Path.Combine(_directory, "edited.json");
        await File.WriteAllTextAsync(edited, export.ToJsonString());
        var withNull = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        withNull["connections"]![6]!["scopes"] = null;
        var nulls = Path.Combine(_directory, "nulls.json");
        await File.WriteAllTextAsync(nulls, withNull.ToJsonString());
        var nullRowExport = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        nullRowExport["connections"]!.AsArray().Add(null);
        var nullRow = Path.Combine(_directory, "null-row.json");
        await File.WriteAllTextAsync(nullRow, nullRowExport.ToJsonString());
        var unknownField = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ExportFile))!;
        unknownField["connections"]![0]!["extraField"] = 1;
        var extra = Path.Combine(_directory, "extra.json");
        await File.WriteAllTextAsync(extra, unknownField.ToJsonString());
        var target = ProxyHost.NewDataDirectory();
        try
        {
            var import = await RunAsync(["import", edited, .. At(target)]);
            var withExtra = await RunAsync(["import", extra, .. At(target)]);
            var withNulls = await RunAsync(["import", nulls, .. At(target)]);
            var withNullRow = await RunAsync(["import", nullRow, .. At(target)]);

            Assert.Equal((2, 2, 2, 2), (import.Code, withExtra.Code, withNulls.Code, withNullRow.Code));
            Assert.Contains("connections[7] is null, not a row", withNullRow.Error, StringComparison.Ordinal);
            Assert.Contains("7 value(s) TokenProxy does not store, so nothing was imported", import.Error, StringComparison.Ordinal);
            Assert.Contains("$.connections[6].scopes", withNulls.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", withNulls.Error, StringComparison.Ordinal);
            foreach (var problem in new[]
            {
                "connections[0].id", "connections[1].label", "connections[2].workspace", "connections[3].endUser", "connections[4].provider",
                "connections[5].accessToken is not a sealed value", "connections[6]: another connection in the file has its provider and label",
            })
            {
                Assert.Contains(problem, import.Error, StringComparison.Ordinal);
            }

            Assert.Contains("$.connections[0].extraField", withExtra.Error, StringComparison.Ordinal);
            Assert.Contains("not a field an export has", withExtra.Error, StringComparison.Ordinal);
            // Nothing was written: the same directory then takes the untouched export whole.
            var clean = await RunAsync(["import", ExportFile, .. At(target)]);
            Assert.Contains("Imported 7 connection(s)", clean.Output, StringComparison.Ordinal);
            Assert.Contains("0 were already there", clean.Output, StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    [Fact]
    public async Task Export_to_a_dash_writes_standard_output_and_import_from_a_dash_reads_standard_input()
    {
        await StoreAsync(_directory);

        var dash = Path.Combine(Directory.GetCurrentDirectory(), "-");
        File.Delete(dash); // one an older build left here would hide a new one
        var export = await RunAsync("export", "-", $"--TokenProxy:DataDirectory={_directory}");
        var target = ProxyHost.NewDataDirectory();
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await CommandLine.RunAsync(
                ["vault", "import", "-", .. At(target)], new StringReader(export.Output), output, error, CancellationToken.None);

            Assert.Equal(0, export.Code);
            Assert.False(File.Exists(dash));
            Assert.Contains("to standard output", export.Error, StringComparison.Ordinal);
            Assert.Equal("operator", JsonDocument.Parse(export.Output).RootElement.GetProperty("connections")[0].GetProperty("origin").GetString());
            Assert.Equal((0, string.Empty), (code, error.ToString()));
            Assert.Contains("Imported 1 connection(s)", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(target);
        }
    }

    /// <summary>Stores one connection per label (each with a fresh token) in the SQLite store at <paramref name="directory"/>, through a proxy that then stops; their ids.</summary>
    private async Task<List<string>> StoreAsync(string directory, params string[] labels)
    {
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", _api.Address), dataDirectory: directory);
        var ids = new List<string>();
        foreach (var label in labels.Length == 0 ? ["default"] : labels)
        {
            ids.Add((await proxy.ImportAsync("acme", Canary.New("access"), label: label)).GetProperty("id").GetString()!);
        }

        return ids;
    }

    /// <summary><c>vault export</c> of the test's own store to <see cref="ExportFile"/>, which must succeed.</summary>
    private async Task ExportAsync() => Assert.Equal(0, (await RunAsync("export", ExportFile, $"--TokenProxy:DataDirectory={_directory}")).Code);

    /// <summary>A store's data directory and its key file, as the proxies of these tests keep them: an import checks its keys there.</summary>
    private static string[] At(string directory) => [$"--TokenProxy:DataDirectory={directory}", $"--TokenProxy:Vault:KeyFile={ProxyHost.KeyFileFor(directory)}"];

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CommandLine.RunAsync(["vault", .. arguments], TextReader.Null, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
