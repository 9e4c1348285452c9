using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault.Postgres;

/// <summary>The proxy on a shared store, in-process: what it refuses to do alone (make or rotate the key), and waiting for another instance.</summary>
[Collection(PostgresTests.Collection)]
public sealed class SharedStoreHostTests(PostgresServer server) : IAsyncLifetime
{
    private PostgresDatabase _database = null!;

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        foreach (var directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private readonly List<string> _directories = [];

    /// <summary>A data directory whose key file holds <paramref name="keys"/>, the first active; deleted after the test.</summary>
    private string KeyedDirectory(params VaultKey[] keys)
    {
        var directory = ProxyHost.NewDataDirectory();
        _directories.Add(directory);
        VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(directory), keys);
        return directory;
    }

    /// <summary>An instance on the shared store with the keys of <paramref name="directory"/>, proxying <c>acme</c> to <paramref name="api"/>.</summary>
    private Task<ProxyHost> StartAsync(RecordingUpstream api, string directory) =>
        ProxyHost.StartAsync(Postgres(ProxyHost.Provider("acme", api.Address)), dataDirectory: directory);

    /// <summary>POST /admin/api/vault/rotate-key: its status and body (the rotation, or the problem).</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> RotateAsync(ProxyHost proxy)
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_shared_store_never_generates_a_vault_key()
    {
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<VaultStartupException>(() => ProxyHost.StartAsync(Postgres(), dataDirectory: directory));

            Assert.Contains("must use the same key", error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(ProxyHost.KeyFileFor(directory)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_key_of_a_shared_store_is_not_rotated_from_one_instance()
    {
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            var key = VaultKey.Generate();
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(directory), key);
            await using var proxy = await ProxyHost.StartAsync(Postgres(), dataDirectory: directory);

            using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));

            await Problems.AssertProblemAsync(response, HttpStatusCode.Conflict, "key_rotation_unavailable");
            Assert.Contains(key.ToBase64(), await File.ReadAllTextAsync(ProxyHost.KeyFileFor(directory)), StringComparison.Ordinal);
            Assert.Single(await File.ReadAllLinesAsync(ProxyHost.KeyFileFor(directory)), l => !l.StartsWith('#'));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Once_a_new_key_is_first_on_a_shared_store_rotation_reseals_every_row_and_names_the_old_key_to_drop()
    {
        // README, PostgreSQL: new key after the old one everywhere, then first everywhere, then rotate-key re-seals
        // and names the old key; an instance given only the new key then starts and serves every connection.
        await using var api = await RecordingUpstream.StartAsync();
        var (oldKey, newKey) = (VaultKey.Generate(), VaultKey.Generate());
        var token = Canary.New("access");
        var directory = KeyedDirectory(oldKey);
        await using (var first = await StartAsync(api, directory))
        {
            await first.ImportAsync("acme", token);
        }

        VaultInitializer.ReplaceKeyFile(ProxyHost.KeyFileFor(directory), newKey, oldKey);
        await using (var both = await StartAsync(api, directory))
        {
            var (status, rotation) = await RotateAsync(both);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(newKey.Id, rotation.GetProperty("activeKeyId").GetString());
            Assert.False(rotation.GetProperty("created").GetBoolean());
            Assert.Equal([oldKey.Id], rotation.GetProperty("retiredKeyIds").EnumerateArray().Select(k => k.GetString()));
            Assert.Equal(1, rotation.GetProperty("resealed").GetInt32());
            // The key list is the operator's: both keys stay where they were put.
            Assert.Equal([newKey.Id, oldKey.Id], VaultInitializer.ReadKeyFile(ProxyHost.KeyFileFor(directory)).Select(k => k.Id));
        }

        VaultInitializer.ReplaceKeyFile(ProxyHost.KeyFileFor(directory), newKey);
        await using var onlyNew = await StartAsync(api, directory);
        using var proxied = await onlyNew.Client.GetAsync("/acme/user");

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal($"Bearer {token}", Assert.Single(api.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Rotation_is_refused_while_a_running_instance_lacks_the_new_key_and_goes_ahead_once_it_stopped()
    {
        // An operator gives one instance (or a command run offline) the new key first while another still runs with only
        // the old one: re-sealed under the new key, every connection would stop working on that other instance at once.
        await using var api = await RecordingUpstream.StartAsync();
        var (oldKey, newKey) = (VaultKey.Generate(), VaultKey.Generate());
        await using var rotating = await StartAsync(api, KeyedDirectory(newKey, oldKey));
        HttpStatusCode refusedStatus;
        JsonElement refusal;
        await using (var behind = await StartAsync(api, KeyedDirectory(oldKey)))
        {
            await behind.ImportAsync("acme", Canary.New("access"));
            await _database.WaitUntilAsync("SELECT count(*) = 2 FROM key_holders", "both instances recorded their keys");

            (refusedStatus, refusal) = await RotateAsync(rotating);
            using var stillServed = await behind.Client.GetAsync("/acme/user");
            Assert.Equal(HttpStatusCode.OK, stillServed.StatusCode);
        }

        var (status, rotation) = await RotateAsync(rotating);

        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        var detail = refusal.GetProperty("detail").GetString();
        Assert.Contains("1 TokenProxy instance(s) on", detail, StringComparison.Ordinal);
        Assert.Contains("last seen", detail, StringComparison.Ordinal);
        Assert.Contains($"do not hold vault key id {newKey.Id}", detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, rotation.GetProperty("resealed").GetInt32());
        Assert.Equal([oldKey.Id], rotation.GetProperty("retiredKeyIds").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task Rotation_is_refused_while_a_running_instance_seals_with_another_key_first()
    {
        // Both hold both keys, but one still seals new tokens under the old one: the rotation would call the old key
        // unused, and dropping it would stop that instance's fresh tokens everywhere else.
        await using var api = await RecordingUpstream.StartAsync();
        var (oldKey, newKey) = (VaultKey.Generate(), VaultKey.Generate());
        await using var behind = await StartAsync(api, KeyedDirectory(oldKey, newKey));
        await using var rotating = await StartAsync(api, KeyedDirectory(newKey, oldKey));
        await behind.ImportAsync("acme", Canary.New("access"));
        await _database.WaitUntilAsync("SELECT count(*) = 2 FROM key_holders", "both instances recorded their keys");

        var (status, refusal) = await RotateAsync(rotating);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains($"seal with key id {oldKey.Id} first, not {newKey.Id}", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1L, await _database.ScalarAsync<long>($"SELECT count(*) FROM connections WHERE access_token LIKE '{oldKey.Id}:%'"));
    }

    [Fact]
    public async Task Rotation_is_refused_while_a_process_that_keeps_no_key_record_is_connected()
    {
        // A TokenProxy from before key records, still running during a rolling upgrade, keeps its listener connected and
        // records nothing: re-sealed rows would stop working there. Its listener session is all this test needs of it.
        await using var api = await RecordingUpstream.StartAsync();
        await using var proxy = await StartAsync(api, KeyedDirectory(VaultKey.Generate(), VaultKey.Generate()));
        await _database.WaitUntilAsync("SELECT count(*) = 1 FROM key_holders", "the instance recorded its keys");
        HttpStatusCode refusedStatus;
        JsonElement refusal;
        await using (var older = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString) { ApplicationName = "tokenproxy-listen", Pooling = false }.ConnectionString))
        {
            await older.OpenAsync();
            (refusedStatus, refusal) = await RotateAsync(proxy);
        }

        var (status, _) = await RotateAsync(proxy);

        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        Assert.Contains("2 TokenProxy process(es) are connected", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("only 1 recorded the keys they hold", refusal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task With_the_new_key_put_second_rotation_never_names_it_to_drop()
    {
        // The operator meant to rotate to the new key but left the old one first: dropping "the key no row uses" would
        // then drop the new key and undo the rotation.
        await using var api = await RecordingUpstream.StartAsync();
        var (oldKey, newKey) = (VaultKey.Generate(), VaultKey.Generate());
        await using var proxy = await StartAsync(api, KeyedDirectory(oldKey, newKey));
        await proxy.ImportAsync("acme", Canary.New("access"));

        var (status, rotation) = await RotateAsync(proxy);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(oldKey.Id, rotation.GetProperty("activeKeyId").GetString());
        Assert.Equal(0, rotation.GetProperty("resealed").GetInt32());
        Assert.Empty(rotation.GetProperty("retiredKeyIds").EnumerateArray());
        Assert.Equal([newKey.Id], rotation.GetProperty("unusedKeyIds").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task A_refresh_that_waits_past_its_timeout_for_another_instance_is_a_503_not_a_crash()
    {
        await using var api = await RecordingUpstream.StartAsync();
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        authorization.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(directory), VaultKey.Generate());
            var settings = Postgres(authorization.Provider("acme", api.Address));
            settings["TokenProxy:Refresh:Skew"] = "00:00:30";
            await using var holder = await ProxyHost.StartAsync(settings, dataDirectory: directory);
            settings["TokenProxy:Refresh:Timeout"] = "00:00:01";
            await using var waiter = await ProxyHost.StartAsync(settings, dataDirectory: directory);
            await holder.ImportAsync("acme", "access-0", refreshToken: "refresh-0", expiresIn: 1);
            // Expired already (at its import): due the moment either instance reads it.
            await _database.ExecuteAsync("UPDATE connections SET expires_at = created_at");

            var held = holder.Client.GetAsync("/acme/first");
            await authorization.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(10));
            using var response = await waiter.Client.GetAsync("/acme/second");
            authorization.Hold.SetResult();
            using var first = await held;

            await Problems.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "refresh_unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(1, authorization.Calls);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Api_that_always_says_401_does_not_cause_a_refresh_loop_across_instances()
    {
        await using var api = await RecordingUpstream.StartAsync();
        api.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        await WithTwoInstancesAsync(authorization.Provider("acme", api.Address), async (a, b) =>
        {
            await a.ImportAsync("acme", "access-0", refreshToken: "refresh-0");

            // Alternate instances: each sees the other's freshly refreshed token rejected too.
            for (var i = 0; i < 10; i++)
            {
                using var response = await (i % 2 == 0 ? a : b).Client.GetAsync($"/acme/{i}");
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }

            Assert.Equal(1, authorization.Calls);
        });
    }

    [Fact]
    public async Task Revoke_at_the_provider_after_a_401_driven_refresh_on_one_instance_is_noticed_by_another()
    {
        await using var api = await RecordingUpstream.StartAsync();
        var revoked = false;
        api.Respond = (context, request) =>
        {
            context.Response.StatusCode = revoked || request.Header("Authorization") == "Bearer access-0" ? StatusCodes.Status401Unauthorized : StatusCodes.Status200OK;
            return Task.CompletedTask;
        };
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        var issue = FakeAuthorizationServer.IssueTokens();
        var rejectGrant = FakeAuthorizationServer.Answer(400, """{"error":"invalid_grant"}""");
        authorization.Respond = (context, n) => n == 1 ? issue(context, n) : rejectGrant(context, n);
        await WithTwoInstancesAsync(authorization.Provider("acme", api.Address), async (a, b) =>
        {
            var id = (await a.ImportAsync("acme", "access-0", refreshToken: "refresh-0")).GetProperty("id").GetString();

            using var accepted = await a.Client.PostAsync("/acme/items", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode); // 401, refresh, replay with access-1 accepted: on instance a
            revoked = true;
            using var next = await b.Client.GetAsync("/acme/next");

            await Problems.AssertProblemAsync(next, HttpStatusCode.Unauthorized, "reconnect_required");
            Assert.Equal(2, authorization.Calls);
            var connection = await a.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/api/connections/{id}");
            Assert.Equal("error", connection.GetProperty("status").GetString());
        });
    }

    /// <summary>Two instances in this process on the test's database, sharing one vault key.</summary>
    private async Task WithTwoInstancesAsync(Dictionary<string, string?> settings, Func<ProxyHost, ProxyHost, Task> test)
    {
        var directory = ProxyHost.NewDataDirectory();
        try
        {
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(directory), VaultKey.Generate());
            await using var a = await ProxyHost.StartAsync(Postgres(settings), dataDirectory: directory);
            await using var b = await ProxyHost.StartAsync(Postgres(settings), dataDirectory: directory);
            await test(a, b);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task An_instance_without_the_key_a_connection_is_sealed_with_answers_503_and_leaves_the_connection_active_for_the_others()
    {
        await using var api = await RecordingUpstream.StartAsync();
        await using var authorization = await FakeAuthorizationServer.StartAsync();
        var right = ProxyHost.NewDataDirectory();
        var wrong = ProxyHost.NewDataDirectory();
        try
        {
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(right), VaultKey.Generate());
            VaultInitializer.WriteKeyFile(ProxyHost.KeyFileFor(wrong), VaultKey.Generate());
            var settings = Postgres(authorization.Provider("acme", api.Address));
            await using var holder = await ProxyHost.StartAsync(settings, dataDirectory: right);
            await using var stranger = await ProxyHost.StartAsync(settings, dataDirectory: wrong);
            var id = (await holder.ImportAsync("acme", "access-0", refreshToken: "refresh-0", expiresIn: 3600)).GetProperty("id").GetString();

            using var served = await stranger.Client.GetAsync("/acme/data");
            using var refresh = await stranger.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/connections/{id}/refresh"));
            using var byHolder = await holder.Client.GetAsync("/acme/data");
            var row = await holder.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/api/connections/{id}");

            await Problems.AssertProblemAsync(served, HttpStatusCode.ServiceUnavailable, "vault_key_missing");
            await Problems.AssertProblemAsync(refresh, HttpStatusCode.ServiceUnavailable, "vault_key_missing");
            Assert.Equal(HttpStatusCode.OK, byHolder.StatusCode);
            Assert.Equal("active", row.GetProperty("status").GetString());
            Assert.Equal(0, authorization.Calls);
            Assert.Single(api.Requests);
            Assert.Contains(stranger.Logs.Lines, l => l.Contains("[1183]", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(right, recursive: true);
            Directory.Delete(wrong, recursive: true);
        }
    }

    private Dictionary<string, string?> Postgres(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["TokenProxy:Store:Kind"] = "Postgres";
        settings["TokenProxy:Store:ConnectionString"] = _database.ConnectionString;
        settings["TokenProxy:Refresh:Background"] = "false";
        return settings;
    }
}
