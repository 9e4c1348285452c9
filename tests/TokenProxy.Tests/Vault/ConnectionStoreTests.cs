using TokenProxy.Vault;

namespace TokenProxy.Tests.Vault;

/// <summary>
/// What every <see cref="IConnectionStore"/> must do, run against each store (SQLite, PostgreSQL): one logical
/// schema, compare-and-swap on the version, single-use pending authorizations, change events.
/// </summary>
public abstract partial class ConnectionStoreTests : IAsyncLifetime
{
    private protected IConnectionStore Store { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await SetUpAsync();
        Store = await OpenStoreAsync();
    }

    public async Task DisposeAsync()
    {
        await CloseAsync(Store);
        await TearDownAsync();
    }

    /// <summary>Prepares the test's own empty database.</summary>
    protected abstract Task SetUpAsync();

    /// <summary>Opens (and initializes) a store on the test's database; PostgreSQL tests open several, like several instances.</summary>
    private protected abstract Task<IConnectionStore> OpenStoreAsync();

    protected abstract Task TearDownAsync();

    private protected static async Task CloseAsync(IConnectionStore store)
    {
        switch (store)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    [Fact]
    public async Task Update_is_compare_and_swap_on_the_version()
    {
        var row = NewRow("default");
        Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        var stored = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.Equal(1, stored.Version);

        var first = await Store.TryUpdateAsync(stored with { AccessToken = "k:new" }, CancellationToken.None);
        var stale = await Store.TryUpdateAsync(stored with { AccessToken = "k:stale" }, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Equal(2, first.Version);
        Assert.Null(stale);
        var now = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.Equal("k:new", now.AccessToken);
        Assert.Equal(2, now.Version);
    }

    [Fact]
    public async Task Of_concurrent_updates_from_one_version_exactly_one_wins()
    {
        var row = NewRow("default");
        await Store.TryInsertAsync(row, CancellationToken.None);
        var stored = (await Store.GetAsync(row.Id, CancellationToken.None))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => Store.TryUpdateAsync(stored with { AccessToken = $"k:{i}" }, CancellationToken.None))));

        var winner = Assert.Single(results, r => r is not null)!;
        var now = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.Equal(winner.AccessToken, now.AccessToken);
        Assert.Equal(2, now.Version);
    }

    [Fact]
    public async Task Every_field_round_trips()
    {
        // A connection is inserted only into a workspace that exists.
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("team-a", "Team A", DateTimeOffset.UnixEpoch), CancellationToken.None));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_123);
        var row = NewRow("full") with
        {
            Workspace = "team-a",
            EndUser = new ConnectionEndUser("alice", "Alice", "alice@example.com"),
            Origin = ConnectionOrigin.ConnectRequest,
            Status = ConnectionStatus.Error,
            Account = new ConnectionAccount("42", "a@example.com", "octocat"),
            Scopes = ["read:user", "repo"],
            TokenType = "bearer",
            RefreshToken = "k:refresh",
            ExpiresAt = at,
            LastRefreshedAt = at,
            RefreshTokenExpiresAt = at.AddDays(90),
            LastError = new ConnectionError("invalid_grant", "Token revoked", at),
            Metadata = new Dictionary<string, string> { ["team.id"] = "T1" },
            Parameters = new Dictionary<string, string> { ["subdomain"] = "acme" },
            RequiredScopes = ["admin:org", "repo"],
        };
        await Store.TryInsertAsync(row, CancellationToken.None);

        var read = (await Store.FindAsync("github", new ConnectionScope("team-a", "alice"), "full", CancellationToken.None))!;

        Assert.Equal(row with { Version = 1, Scopes = read.Scopes, Metadata = read.Metadata, Parameters = read.Parameters, RequiredScopes = read.RequiredScopes }, read);
        Assert.Equal(row.Scopes, read.Scopes);
        Assert.Equal(row.RequiredScopes, read.RequiredScopes);
        Assert.Equal(row.Metadata, read.Metadata);
        Assert.Equal(row.Parameters, read.Parameters);
    }

    [Fact]
    public async Task Required_scopes_are_written_by_an_update_and_cleared_by_the_next()
    {
        var row = NewRow("stepped");
        await Store.TryInsertAsync(row, CancellationToken.None);
        var stored = (await Store.GetAsync(row.Id, CancellationToken.None))!;

        var needing = await Store.TryUpdateAsync(stored with { RequiredScopes = ["api:read", "repo"] }, CancellationToken.None);
        var afterNeeding = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        var cleared = await Store.TryUpdateAsync(afterNeeding with { RequiredScopes = [] }, CancellationToken.None);
        var afterClearing = (await Store.GetAsync(row.Id, CancellationToken.None))!;

        Assert.Empty(stored.RequiredScopes);
        Assert.NotNull(needing);
        Assert.Equal(["api:read", "repo"], afterNeeding.RequiredScopes);
        Assert.NotNull(cleared);
        Assert.Empty(afterClearing.RequiredScopes);
    }

    [Fact]
    public async Task Vault_export_and_import_carry_the_refresh_token_expiry()
    {
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000);
        var key = VaultKey.Generate();
        var row = NewRow("moving");
        // Sealed for real: an import refuses a value that is not.
        row = row with
        {
            AccessToken = SecretSealer.Seal(key, row.Id, SecretSealer.AccessTokenField, "access"),
            RefreshToken = SecretSealer.Seal(key, row.Id, SecretSealer.RefreshTokenField, "refresh"),
            RefreshTokenExpiresAt = expires,
        };
        await Store.TryInsertAsync(row, CancellationToken.None);
        using var file = new MemoryStream();
        await VaultTransfer.ExportAsync(Store, file, TimeProvider.System, CancellationToken.None);
        await Store.DeleteAsync(row.Id, CancellationToken.None);

        file.Position = 0;
        await VaultTransfer.ImportAsync(Store, await VaultTransfer.ReadAsync(file, CancellationToken.None), CancellationToken.None);

        Assert.Equal(expires, (await Store.GetAsync(row.Id, CancellationToken.None))!.RefreshTokenExpiresAt);
    }

    [Fact]
    public async Task A_label_is_unique_per_provider()
    {
        Assert.True(await Store.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.False(await Store.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.True(await Store.TryInsertAsync(NewRow("default") with { Provider = "gitlab" }, CancellationToken.None));
    }

    [Fact]
    public async Task Find_prefers_the_id_over_a_label_with_the_same_text()
    {
        var target = NewRow("a");
        await Store.TryInsertAsync(target, CancellationToken.None);
        await Store.TryInsertAsync(NewRow(target.Id), CancellationToken.None);

        Assert.Equal(target.Id, (await Store.FindAsync("github", ConnectionScope.None, target.Id, CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task List_is_ordered_by_provider_then_label()
    {
        await Store.TryInsertAsync(NewRow("b"), CancellationToken.None);
        await Store.TryInsertAsync(NewRow("a") with { Provider = "gitlab" }, CancellationToken.None);
        await Store.TryInsertAsync(NewRow("a"), CancellationToken.None);

        var listed = await Store.ListAsync(CancellationToken.None);

        Assert.Equal([("github", "a"), ("github", "b"), ("gitlab", "a")], listed.Select(r => (r.Provider, r.Label)));
    }

    [Fact]
    public async Task Delete_removes_the_row_once()
    {
        var row = NewRow("default");
        await Store.TryInsertAsync(row, CancellationToken.None);

        Assert.True(await Store.DeleteAsync(row.Id, CancellationToken.None));
        Assert.False(await Store.DeleteAsync(row.Id, CancellationToken.None));
        Assert.Null(await Store.GetAsync(row.Id, CancellationToken.None));
        Assert.Null(await Store.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task Versions_are_read_for_the_ids_that_still_exist()
    {
        var kept = NewRow("kept");
        var updated = NewRow("updated");
        await Store.TryInsertAsync(kept, CancellationToken.None);
        await Store.TryInsertAsync(updated, CancellationToken.None);
        await Store.TryUpdateAsync(updated with { Version = 1 }, CancellationToken.None);

        var versions = await Store.GetVersionsAsync([kept.Id, updated.Id, ConnectionIds.New()], CancellationToken.None);

        Assert.Equal(new Dictionary<string, long> { [kept.Id] = 1, [updated.Id] = 2 }, versions);
    }

    [Fact]
    public async Task Writes_raise_changed_with_the_connection_id()
    {
        var changed = new List<string>();
        Store.Changed += changed.Add;
        var row = NewRow("default");

        await Store.TryInsertAsync(row, CancellationToken.None);
        await Store.TryInsertAsync(NewRow("default"), CancellationToken.None); // label taken: no change
        await Store.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None);
        await Store.TryUpdateAsync(row with { Version = 1 }, CancellationToken.None); // lost CAS: no change
        await Store.DeleteAsync(row.Id, CancellationToken.None);

        Assert.Equal([row.Id, row.Id, row.Id], changed);
    }

    [Fact]
    public async Task A_pending_authorization_is_taken_exactly_once_with_every_field()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var pending = new PendingAuthorization(
            "state-hash", "github", ConnectionIds.New(), "work", ["repo", "read:user"], "http://127.0.0.1:5080/admin/callback/github",
            "https://github.com", IssParameterSupported: true, "browser-hash", "k:verifier", CreatedConnection: true, now, now.AddMinutes(10))
        {
            Parameters = new Dictionary<string, string> { ["subdomain"] = "acme" },
            Pick = "k:sealed-pick",
            ConnectRequestId = ConnectRequestIds.New(),
        };
        await Store.SavePendingAsync(pending, CancellationToken.None);

        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.TakePendingAsync("state-hash", CancellationToken.None))));

        var only = Assert.Single(taken, t => t is not null)!;
        Assert.Equal(pending with { Scopes = only.Scopes, Parameters = only.Parameters }, only);
        Assert.Equal(pending.Scopes, only.Scopes);
        Assert.Equal(pending.Parameters, only.Parameters);
    }

    [Fact]
    public async Task A_connect_request_is_stored_with_every_field_and_found_by_its_token_hash_only()
    {
        await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", RequestTime), CancellationToken.None);
        var request = NewRequest("acme-co") with
        {
            Label = "work", Scopes = ["repo", "read:user"], EndUser = new ConnectionEndUser("u-1", "Ada", "ada@example.com"),
            Parameters = new Dictionary<string, string> { ["subdomain"] = "acme" }, ConnectionId = ConnectionIds.New(), Message = "Please connect",
        };

        Assert.True(await Store.TryInsertConnectRequestAsync(request, CancellationToken.None));
        Assert.False(await Store.TryInsertConnectRequestAsync(NewRequest("no-such-workspace"), CancellationToken.None));
        var found = await Store.FindConnectRequestAsync(request.TokenHash, CancellationToken.None);
        var read = await Store.GetConnectRequestAsync(request.Id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(request with { Scopes = found.Scopes, Parameters = found.Parameters }, found);
        Assert.Equal(request.Scopes, found.Scopes);
        Assert.Equal(request.Parameters, found.Parameters);
        Assert.Equal(found.Id, read?.Id);
        Assert.Null(await Store.FindConnectRequestAsync(request.Id, CancellationToken.None));
        Assert.Equal([request.Id], (await Store.ListConnectRequestsAsync("acme-co", CancellationToken.None)).Select(r => r.Id));
        Assert.Empty(await Store.ListConnectRequestsAsync("other", CancellationToken.None));
    }

    [Fact]
    public async Task Of_eight_concurrent_claims_of_a_connect_request_exactly_one_wins_and_a_release_undoes_only_its_own()
    {
        await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", RequestTime), CancellationToken.None);
        var request = NewRequest("acme-co");
        await Store.TryInsertConnectRequestAsync(request, CancellationToken.None);
        var now = RequestTime.AddMinutes(1);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryClaimConnectRequestAsync(request.Id, $"conn_{i}", now, CancellationToken.None))));
        var claimed = await Store.GetConnectRequestAsync(request.Id, CancellationToken.None);
        await Store.ReleaseConnectRequestAsync(request.Id, "conn_other", CancellationToken.None);
        var kept = await Store.GetConnectRequestAsync(request.Id, CancellationToken.None);
        await Store.ReleaseConnectRequestAsync(request.Id, claimed!.ResultConnectionId!, CancellationToken.None);
        var released = await Store.GetConnectRequestAsync(request.Id, CancellationToken.None);

        Assert.Single(claims, c => c);
        Assert.Equal(ConnectRequestStatus.Completed, claimed.Status);
        Assert.Equal(now, claimed.CompletedAt);
        Assert.Equal(ConnectRequestStatus.Completed, kept!.Status);
        Assert.Equal(ConnectRequestStatus.Outstanding, released!.Status);
        Assert.Null(released.ResultConnectionId);
    }

    [Fact]
    public async Task A_cancelled_or_expired_connect_request_cannot_be_claimed_and_a_completed_one_cannot_be_cancelled()
    {
        await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", RequestTime), CancellationToken.None);
        var (cancelled, expired, completed) = (NewRequest("acme-co"), NewRequest("acme-co"), NewRequest("acme-co"));
        foreach (var request in new[] { cancelled, expired, completed })
        {
            await Store.TryInsertConnectRequestAsync(request, CancellationToken.None);
        }

        var now = RequestTime.AddMinutes(1);
        var cancel = await Store.TryCancelConnectRequestAsync(cancelled.Id, now, CancellationToken.None);
        await Store.TryClaimConnectRequestAsync(completed.Id, "conn_1", now, CancellationToken.None);

        Assert.Equal(ConnectRequestStatus.Cancelled, cancel?.Status);
        Assert.Equal(now, cancel?.CancelledAt);
        Assert.False(await Store.TryClaimConnectRequestAsync(cancelled.Id, "conn_2", now, CancellationToken.None));
        Assert.False(await Store.TryClaimConnectRequestAsync(expired.Id, "conn_3", expired.ExpiresAt, CancellationToken.None));
        Assert.Null(await Store.TryCancelConnectRequestAsync(completed.Id, now, CancellationToken.None));
        Assert.Equal(ConnectRequestStatus.Expired, (await Store.GetConnectRequestAsync(expired.Id, CancellationToken.None))!.StatusAt(expired.ExpiresAt));
    }

    [Fact]
    public async Task Expired_pending_authorizations_are_purged()
    {
        var now = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        PendingAuthorization Pending(string state, DateTimeOffset expires) =>
            new(state, "github", ConnectionIds.New(), "default", [], "http://127.0.0.1/cb", null, false, "b", null, false, now.AddMinutes(-20), expires);
        await Store.SavePendingAsync(Pending("old", now.AddSeconds(-1)), CancellationToken.None);
        await Store.SavePendingAsync(Pending("fresh", now.AddMinutes(5)), CancellationToken.None);

        await Store.PurgeExpiredPendingAsync(now, CancellationToken.None);

        Assert.Null(await Store.TakePendingAsync("old", CancellationToken.None));
        Assert.NotNull(await Store.TakePendingAsync("fresh", CancellationToken.None));
    }

    [Fact]
    public async Task Run_exclusive_returns_what_the_action_returns()
    {
        var row = NewRow("default");
        await Store.TryInsertAsync(row, CancellationToken.None);

        var read = await Store.RunExclusiveAsync(row.Id, token => Store.GetAsync(row.Id, token), CancellationToken.None);

        Assert.Equal(row.Id, read!.Id);
        Assert.True(await Store.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Parameters_are_stored_with_the_row_and_kept_by_updates()
    {
        var row = NewRow("default") with { Parameters = new Dictionary<string, string> { ["subdomain"] = "acme", ["instance_url"] = "https://acme.my.salesforce.com" } };
        Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));

        var updated = await Store.TryUpdateAsync((await Store.GetAsync(row.Id, CancellationToken.None))! with { AccessToken = "k:new" }, CancellationToken.None);

        var stored = (await Store.GetAsync(row.Id, CancellationToken.None))!;
        Assert.NotNull(updated);
        Assert.Equal(row.Parameters, stored.Parameters);
        Assert.Equal(row.Parameters, Assert.Single(await Store.ListAsync(CancellationToken.None)).Parameters);
        Assert.Empty((await Store.TryInsertAsync(NewRow("other"), CancellationToken.None) ? await Store.FindAsync("github", ConnectionScope.None, "other", CancellationToken.None) : null)!.Parameters);
    }

    [Fact]
    public async Task A_label_is_unique_per_provider_workspace_and_end_user_and_found_only_in_its_scope()
    {
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", DateTimeOffset.UnixEpoch), CancellationToken.None));
        var none = NewRow("default");
        var team = NewRow("default") with { Workspace = "acme-co" };
        var alice = NewRow("default") with { Workspace = "acme-co", EndUser = new ConnectionEndUser("alice", "Alice", "alice@example.com") };
        var aliceAlone = NewRow("default") with { EndUser = new ConnectionEndUser("alice") };
        foreach (var row in new[] { none, team, alice, aliceAlone })
        {
            Assert.True(await Store.TryInsertAsync(row, CancellationToken.None));
        }

        Assert.False(await Store.TryInsertAsync(NewRow("default") with { Workspace = "acme-co", EndUser = new ConnectionEndUser("alice") }, CancellationToken.None));
        Assert.False(await Store.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.Equal(none.Id, (await Store.FindAsync("github", ConnectionScope.None, "default", CancellationToken.None))!.Id);
        Assert.Equal(team.Id, (await Store.FindAsync("github", new ConnectionScope("acme-co", null), "default", CancellationToken.None))!.Id);
        var found = (await Store.FindAsync("github", new ConnectionScope("acme-co", "alice"), "default", CancellationToken.None))!;
        Assert.Equal(alice.Id, found.Id);
        Assert.Equal(alice.EndUser, found.EndUser);
        Assert.Equal(aliceAlone.Id, (await Store.FindAsync("github", new ConnectionScope(null, "alice"), "default", CancellationToken.None))!.Id);
        // An id is found in its own scope only.
        Assert.Null(await Store.FindAsync("github", ConnectionScope.None, alice.Id, CancellationToken.None));
        Assert.Null(await Store.FindAsync("github", new ConnectionScope("acme-co", null), alice.Id, CancellationToken.None));
        Assert.Equal(alice.Id, (await Store.FindAsync("github", new ConnectionScope("acme-co", "alice"), alice.Id, CancellationToken.None))!.Id);
    }

    [Fact]
    public async Task A_label_is_taken_once_in_a_workspace_without_an_end_user_and_for_an_end_user_without_a_workspace()
    {
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", DateTimeOffset.UnixEpoch), CancellationToken.None));
        var team = NewRow("default") with { Workspace = "acme-co" };
        var aliceAlone = NewRow("default") with { EndUser = new ConnectionEndUser("alice") };
        Assert.True(await Store.TryInsertAsync(team, CancellationToken.None));
        Assert.True(await Store.TryInsertAsync(aliceAlone, CancellationToken.None));

        Assert.False(await Store.TryInsertAsync(team with { Id = ConnectionIds.New() }, CancellationToken.None));
        Assert.False(await Store.TryInsertAsync(aliceAlone with { Id = ConnectionIds.New() }, CancellationToken.None));
    }

    [Fact]
    public async Task A_connection_is_not_inserted_into_a_workspace_that_does_not_exist()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", at), CancellationToken.None));
        Assert.True(await Store.DeleteWorkspaceAsync("acme-co", DateTimeOffset.UnixEpoch, CancellationToken.None));

        Assert.False(await Store.TryInsertAsync(NewRow("default") with { Workspace = "acme-co" }, CancellationToken.None));
        Assert.False(await Store.TryInsertAsync(NewRow("default") with { Workspace = "never-made" }, CancellationToken.None));
        Assert.Empty(await Store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Workspaces_are_inserted_once_listed_read_and_deleted()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Acme Co", at), CancellationToken.None));
        Assert.False(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("acme-co", "Again", at), CancellationToken.None));
        Assert.True(await Store.TryInsertWorkspaceAsync(new WorkspaceRow("globex", "Globex", at), CancellationToken.None));

        Assert.Equal(["acme-co", "globex"], (await Store.ListWorkspacesAsync(CancellationToken.None)).Select(w => w.Id));
        Assert.Equal(new WorkspaceRow("acme-co", "Acme Co", at), await Store.GetWorkspaceAsync("acme-co", CancellationToken.None));
        Assert.True(await Store.DeleteWorkspaceAsync("acme-co", DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.False(await Store.DeleteWorkspaceAsync("acme-co", DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Null(await Store.GetWorkspaceAsync("acme-co", CancellationToken.None));
    }

    /// <summary>
    /// What a database from before workspaces looks like once migrated: every row as it was, in no workspace and of no
    /// end user unless an import named a workspace (which now exists); the label index is the new one.
    /// </summary>
    private protected static async Task AssertMigratedFromBeforeWorkspacesAsync(IConnectionStore migrated, ConnectionRow plain, ConnectionRow named)
    {
        var stored = (await migrated.FindAsync("github", ConnectionScope.None, "default", CancellationToken.None))!;
        Assert.Equal(plain.Id, stored.Id);
        Assert.Equal(plain.AccessToken, stored.AccessToken);
        Assert.Null(stored.Workspace);
        Assert.Null(stored.EndUser);
        Assert.Equal(ConnectionOrigin.Operator, stored.Origin);
        Assert.Equal(named.Id, (await migrated.FindAsync("github", new ConnectionScope("legacy", null), "reports", CancellationToken.None))!.Id);
        var legacy = Assert.Single(await migrated.ListWorkspacesAsync(CancellationToken.None));
        Assert.Equal("legacy", legacy.Id);
        Assert.Equal(named.CreatedAt, legacy.CreatedAt);
        Assert.True(await migrated.TryInsertAsync(NewRow("default") with { Workspace = "legacy" }, CancellationToken.None));
        Assert.False(await migrated.TryInsertAsync(NewRow("default"), CancellationToken.None));
        Assert.NotNull(await migrated.TryUpdateAsync(stored with { AccessToken = "k:after" }, CancellationToken.None));
    }

    private static readonly DateTimeOffset RequestTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    private static ConnectRequestRow NewRequest(string workspace) => new()
    {
        Id = ConnectRequestIds.New(),
        TokenHash = ConnectRequestTokens.Hash(ConnectRequestTokens.New()),
        Workspace = workspace,
        Provider = "github",
        Status = ConnectRequestStatus.Outstanding,
        CreatedAt = RequestTime,
        ExpiresAt = RequestTime.AddDays(7),
    };

    private protected static ConnectionRow NewRow(string label) => new()
    {
        Id = ConnectionIds.New(),
        Provider = "github",
        Label = label,
        Status = ConnectionStatus.Active,
        AccessToken = "k:sealed",
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
    };
}
