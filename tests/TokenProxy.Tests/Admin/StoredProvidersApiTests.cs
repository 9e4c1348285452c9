using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Admin;

/// <summary>
/// <c>GET/PUT/DELETE /admin/api/providers/{name}</c> on the embedded store: a stored provider is served at once and
/// overrides the configuration file's entry of its name, a refused one lists every problem and stores nothing, its
/// client secret is write-only and sealed, and a key rotation re-seals it.
/// </summary>
public sealed class StoredProvidersApiTests
{
    [Fact]
    public async Task A_stored_provider_overrides_the_files_entry_at_once_and_deleting_it_brings_the_files_entry_back()
    {
        await using var fromFile = await RecordingUpstream.StartAsync();
        await using var fromStore = await RecordingUpstream.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(ProxyHost.Provider("acme", fromFile.Address));
        await proxy.ImportAsync("acme", "acme-token");
        var secret = Canary.New("ClientSecret");

        using var put = await PutAsync(proxy, "acme", new
        {
            ApiBaseUrl = fromStore.Address.AbsoluteUri,
            AuthorizationUrl = "https://auth.acme.example/authorize",
            TokenUrl = "https://auth.acme.example/token",
            ClientId = "acme-client",
            ClientSecret = secret,
            Scopes = new[] { "read", "write" },
        });
        var created = await put.Content.ReadAsStringAsync();
        using var proxied = await proxy.Client.GetAsync("/acme/items");
        var shown = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("Bearer acme-token", fromStore.Requests.Single().Header("Authorization"));
        Assert.Empty(fromFile.Requests);
        Assert.Equal("stored", shown.GetProperty("source").GetString());
        Assert.True(shown.GetProperty("clientSecretSet").GetBoolean());
        Assert.Equal(["read", "write"], shown.GetProperty("definition").GetProperty("Scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.False(shown.GetProperty("definition").TryGetProperty("ClientSecret", out _));
        Assert.EndsWith("/admin/callback/acme", shown.GetProperty("redirectUri").GetString(), StringComparison.Ordinal);
        Canary.AssertAbsent(secret, created + shown.GetRawText(), "the API's answers");

        // Changed without naming the secret: the stored secret stays.
        using var changed = await PutAsync(proxy, "acme", new
        {
            ApiBaseUrl = fromStore.Address.AbsoluteUri,
            AuthorizationUrl = "https://auth.acme.example/authorize",
            TokenUrl = "https://auth.acme.example/token",
            ClientId = "acme-client",
            Scopes = new[] { "read" },
        });
        var after = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.True(after.GetProperty("clientSecretSet").GetBoolean());
        Assert.Equal(["read"], after.GetProperty("definition").GetProperty("Scopes").EnumerateArray().Select(s => s.GetString()));

        using var deleted = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/acme"));
        using var deletedAgain = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/acme"));
        using var back = await proxy.Client.GetAsync("/acme/again");
        var fileEntry = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal("/again", fromFile.Requests.Single().PathAndQuery);
        Assert.Equal("file", fileEntry.GetProperty("source").GetString());
        Assert.False(fileEntry.GetProperty("clientSecretSet").GetBoolean());
    }

    [Fact]
    public async Task A_provider_deleted_entirely_keeps_its_connections_which_answer_unknown_provider_until_it_returns()
    {
        await using var upstream = await RecordingUpstream.StartAsync();
        await using var proxy = await ProxyHost.StartAsync();
        var entry = new { ApiBaseUrl = upstream.Address.AbsoluteUri };
        using (await PutAsync(proxy, "beta", entry))
        {
        }

        var connection = await proxy.ImportAsync("beta", "beta-token");
        using var deleted = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/beta"));
        using var gone = await proxy.Client.GetAsync("/beta/x");
        using var kept = await proxy.Client.GetAsync($"/admin/api/connections/{connection.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("unknown_provider", gone.Headers.GetValues("TokenProxy-Error").Single());
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);

        using (await PutAsync(proxy, "beta", entry))
        {
        }

        using var returned = await proxy.Client.GetAsync("/beta/x");
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        Assert.Equal("Bearer beta-token", upstream.Requests.Single().Header("Authorization"));
    }

    [Fact]
    public async Task A_refused_provider_lists_every_problem_and_nothing_is_stored()
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var refused = await PutAsync(proxy, "gamma", new { Scopess = new[] { "read" }, TokenUrl = "not a url", ClientId = "id", UsePkce = true });
        using var wrongType = await PutAsync(proxy, "gamma", new { ApiBaseUrl = "https://api.gamma.example", Scopes = 5 });
        using var notJson = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/api/providers/gamma")
        {
            Content = new StringContent("ApiBaseUrl=x", Encoding.UTF8, "text/plain"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });
        using var badName = await PutAsync(proxy, "admin", new { ApiBaseUrl = "https://api.gamma.example" });
        using var noCsrf = await proxy.Client.PutAsync("/admin/api/providers/gamma", JsonContent.Create(new { ApiBaseUrl = "https://api.gamma.example" }));
        using var shown = await proxy.Client.GetAsync("/admin/api/providers/gamma");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        // Each problem under the key as sent (JsonContent writes camelCase; settings are read in any case).
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("not a provider setting", errors.GetProperty("scopess")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("'not a url' is not an absolute http(s) URL", errors.GetProperty("TokenUrl")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("is required", errors.GetProperty("ApiBaseUrl")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("needs AuthorizationUrl and TokenUrl", errors.GetProperty("provider")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.True((await wrongType.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("scopes", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, shown.StatusCode);
        Assert.Equal(0L, await ScalarAsync(proxy, "SELECT count(*) FROM providers;"));
    }

    [Fact]
    public async Task A_rotation_list_of_client_secrets_is_sealed_whole_and_never_stored_or_shown_in_the_clear()
    {
        var directory = ProxyHost.NewDataDirectory();
        var newer = Canary.New("ClientSecretNew");
        var older = Canary.New("ClientSecretOld");
        try
        {
            await using (var proxy = await ProxyHost.StartAsync(dataDirectory: directory))
            {
                using (var put = await PutAsync(proxy, "acme", new
                {
                    ApiBaseUrl = "https://api.acme.example",
                    AuthorizationUrl = "https://auth.acme.example/authorize",
                    TokenUrl = "https://auth.acme.example/token",
                    ClientId = "acme-client",
                    ClientSecrets = new[] { newer, older },
                }))
                {
                    Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
                }

                var definition = (string)(await ScalarAsync(proxy, "SELECT definition FROM providers WHERE name = 'acme';"))!;
                using var shown = await proxy.Client.GetAsync("/admin/api/providers/acme");
                var body = await shown.Content.ReadAsStringAsync();
                using var providers = await proxy.Client.GetAsync("/admin/api/providers");
                var list = await providers.Content.ReadAsStringAsync();

                Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("clientSecretSet").GetBoolean());
                foreach (var secret in new[] { newer, older })
                {
                    Canary.AssertAbsent(secret, definition, "the stored definition");
                    Canary.AssertAbsent(secret, body, "GET /admin/api/providers/acme");
                    Canary.AssertAbsent(secret, list, "GET /admin/api/providers");
                    Canary.AssertAbsent(secret, proxy.Logs.All, "the logs");
                }
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                foreach (var form in Canary.ByteForms(newer).Concat(Canary.ByteForms(older)))
                {
                    Assert.True(bytes.AsSpan().IndexOf(form) < 0, $"A client secret is readable in {file}.");
                }
            }

            // Restarted, both secrets open again: the entry keeps its list.
            await using var restarted = await ProxyHost.StartAsync(dataDirectory: directory);
            var again = await restarted.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");
            Assert.True(again.GetProperty("clientSecretSet").GetBoolean());
            Assert.DoesNotContain("cannot be opened", restarted.Logs.All, StringComparison.Ordinal);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(directory);
        }
    }

    [Fact]
    public async Task A_stored_client_secret_is_sealed_bound_to_its_provider_and_resealed_by_a_key_rotation()
    {
        var directory = ProxyHost.NewDataDirectory();
        var secret = Canary.New("ClientSecret");
        try
        {
            string sealedBefore;
            await using (var proxy = await ProxyHost.StartAsync(dataDirectory: directory))
            {
                using (await PutAsync(proxy, "acme", new
                {
                    ApiBaseUrl = "https://api.acme.example",
                    AuthorizationUrl = "https://auth.acme.example/authorize",
                    TokenUrl = "https://auth.acme.example/token",
                    ClientId = "acme-client",
                    ClientSecret = secret,
                }))
                {
                }

                sealedBefore = (string)(await ScalarAsync(proxy, "SELECT client_secrets FROM providers WHERE name = 'acme';"))!;
                using (await PutAsync(proxy, "other", new { ApiBaseUrl = "https://api.other.example", ClientSecret = "x" }))
                {
                }

                using var rotated = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/vault/rotate-key"));
                var rotation = await rotated.Content.ReadFromJsonAsync<JsonElement>();
                var sealedAfter = (string)(await ScalarAsync(proxy, "SELECT client_secrets FROM providers WHERE name = 'acme';"))!;

                Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
                Assert.Equal(rotation.GetProperty("activeKeyId").GetString(), sealedAfter.Split(':')[0]);
                Assert.Contains(sealedBefore.Split(':')[0], rotation.GetProperty("retiredKeyIds").EnumerateArray().Select(k => k.GetString()));
                Canary.AssertAbsent(secret, proxy.Logs.All, "the logs");
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                foreach (var form in Canary.ByteForms(secret))
                {
                    Assert.True(bytes.AsSpan().IndexOf(form) < 0, $"The client secret is readable in {file}.");
                }
            }

            // Restarted with the key file the rotation left (the old key retired): the secret still opens.
            await using (var restarted = await ProxyHost.StartAsync(dataDirectory: directory))
            {
                var shown = await restarted.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");
                Assert.True(shown.GetProperty("clientSecretSet").GetBoolean());
                Assert.DoesNotContain("cannot be opened", restarted.Logs.All, StringComparison.Ordinal);
            }

            // Moved into another provider's row, the ciphertext opens for nobody.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "tokenproxy.db")};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "UPDATE providers SET client_secrets = (SELECT client_secrets FROM providers WHERE name = 'acme') WHERE name = 'other';";
                await command.ExecuteNonQueryAsync();
            }

            await using var moved = await ProxyHost.StartAsync(dataDirectory: directory);
            var other = await moved.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/other");
            Assert.False(other.GetProperty("clientSecretSet").GetBoolean());
            Assert.Contains("client secret of stored provider other cannot be opened", moved.Logs.All, StringComparison.Ordinal);
            Canary.AssertAbsent(secret, moved.Logs.All, "the logs");
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(directory);
        }
    }

    [Fact]
    public async Task A_misspelt_key_inside_a_section_is_refused_by_its_path_and_the_same_sections_spelt_right_are_stored()
    {
        await using var proxy = await ProxyHost.StartAsync();
        var api = "https://api.gamma.example";

        using var refused = await PutAsync(proxy, "gamma", new
        {
            ApiBaseUrl = api,
            Revocation = new { Urll = "https://auth.gamma.example/revoke" },
            Parameters = new { subdomain = new { Patern = @"^[a-z]+\z", Discovery = new { Fieldd = "x" } } },
            ScopeHeaders = new { Grantedd = "X-OAuth-Scopes" },
        });
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        using var stored = await PutAsync(proxy, "gamma", new
        {
            ApiBaseUrl = api,
            Parameters = new { subdomain = new { Pattern = @"^[a-z]+\z", Label = "Subdomain" } },
            ScopeHeaders = new { Granted = "X-OAuth-Scopes", Accepted = "X-Accepted-OAuth-Scopes" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        // Each misspelt key under its path as sent, next to what its absence leaves missing (Revocation:Url, …).
        foreach (var key in new[] { "parameters:subdomain:discovery:fieldd", "parameters:subdomain:patern", "revocation:urll", "scopeHeaders:grantedd" })
        {
            Assert.True(errors.TryGetProperty(key, out var problem), $"{key} is not among {string.Join(", ", errors.EnumerateObject().Select(e => e.Name))}");
            Assert.Contains("not a provider setting", problem[0].GetString(), StringComparison.Ordinal);
        }

        Assert.True(stored.StatusCode == HttpStatusCode.Created, await stored.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_client_secret_sent_as_null_or_empty_keeps_the_stored_one_and_a_new_rotation_list_replaces_it()
    {
        await using var proxy = await ProxyHost.StartAsync();
        object Entry(object? secret, string[]? secrets = null) => new
        {
            ApiBaseUrl = "https://api.gamma.example", AuthorizationUrl = "https://auth.gamma.example/authorize",
            TokenUrl = "https://auth.gamma.example/token", ClientId = "gamma-client", ClientSecret = secret, ClientSecrets = secrets,
        };

        IReadOnlyList<string> Secrets() =>
            proxy.Services.GetRequiredService<TokenProxy.Providers.ProviderCatalog>().TryGet("gamma", out var provider) ? provider.ClientSecrets : [];

        using var created = await PutAsync(proxy, "gamma", Entry("first-secret"));
        using var sentNull = await PutAsync(proxy, "gamma", Entry(null));
        var afterNull = Secrets();
        using var sentEmpty = await PutAsync(proxy, "gamma", Entry(""));
        var afterEmpty = Secrets();
        using var rotated = await PutAsync(proxy, "gamma", Entry(null, ["second-secret", "first-secret"]));
        var afterRotation = Secrets();

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sentNull.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sentEmpty.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(["first-secret"], afterNull);
        Assert.Equal(["first-secret"], afterEmpty);
        Assert.Equal(["second-secret", "first-secret"], afterRotation);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_with_every_other_problem_and_one_value_for_a_list_is_told_to_be_an_array()
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var refused = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/api/providers/gamma")
        {
            Content = new StringContent(
                """{"ApiBaseUrl": "http://api.gamma.example", "UsePkce": "yes", "Scopes": "read", "Bogus": 1, "Revocation": {"Url": 5}}""",
                Encoding.UTF8, "application/json"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("a value of the wrong type", errors.GetProperty("UsePkce")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("send a JSON array", errors.GetProperty("Scopes")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("a value of the wrong type", errors.GetProperty("Revocation:Url")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("not a provider setting", errors.GetProperty("Bogus")[0].GetString(), StringComparison.Ordinal);
        // The rest was still read and checked: plain http for a public API.
        Assert.Contains("must use https", errors.GetProperty("ApiBaseUrl")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(proxy, "SELECT count(*) FROM providers;"));
    }

    [Theory]
    [InlineData("{\"ApiBaseUrl\": \"https://api.gamma.example\",}")]
    [InlineData("")]
    [InlineData("{\"ApiBaseUrl\": ")]
    public async Task Malformed_json_is_said_to_be_malformed_not_a_wrong_type(string body)
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var refused = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/api/providers/gamma")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_json", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_key_given_twice_even_inside_a_section_is_refused_and_nothing_is_stored()
    {
        await using var proxy = await ProxyHost.StartAsync();
        const string body = """
            {"ApiBaseUrl": "https://api.gamma.example", "AuthorizationUrl": "https://gamma.example/authorize",
             "TokenUrl": "https://gamma.example/token", "ClientId": "gamma-client",
             "Revocation": {"Url": "https://gamma.example/revoke", "url": "https://elsewhere.example/revoke"}}
            """;

        using var refused = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/admin/api/providers/gamma")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { "TokenProxy-Csrf", "1" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_json", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(0L, await ScalarAsync(proxy, "SELECT count(*) FROM providers;"));
    }

    [Theory]
    [InlineData("Acme\nAdmin: all connections revoked")]
    [InlineData("Acme\u202Eevil")]
    [InlineData("Acme\u0007")]
    [InlineData("   ")]
    [InlineData("Acme\u200Ex")]
    [InlineData("Acme\u061Cx")]
    [InlineData("Acme\u2028Admin")]
    [InlineData("\u200B\u200B")]
    public async Task A_display_name_on_two_lines_blank_or_with_text_direction_characters_is_refused(string displayName)
    {
        await using var proxy = await ProxyHost.StartAsync();

        using var refused = await PutAsync(proxy, "gamma", new { ApiBaseUrl = "https://api.gamma.example", DisplayName = displayName });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("without control, text-direction or invisible characters", errors.GetProperty("DisplayName")[0].GetString(), StringComparison.Ordinal);
        using var listed = await proxy.Client.GetAsync("/admin/api/providers");
        Assert.DoesNotContain("gamma", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_display_name_longer_than_100_characters_is_refused()
    {
        await using var proxy = await ProxyHost.StartAsync();
        var api = "https://api.gamma.example";

        using var tooLong = await PutAsync(proxy, "gamma", new { ApiBaseUrl = api, DisplayName = new string('x', 101) });
        using var fine = await PutAsync(proxy, "gamma", new { ApiBaseUrl = api, DisplayName = new string('x', 100) });

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        var errors = (await tooLong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("at most 100 characters", errors.GetProperty("DisplayName")[0].GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Created, fine.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_preset_or_a_files_provider_says_where_it_comes_from_and_an_api_key_provider_has_no_redirect_uri()
    {
        var settings = ProxyHost.Provider("acme", new Uri("https://api.acme.example/"));
        settings["TokenProxy:Providers:keyed:ApiBaseUrl"] = "https://api.keyed.example/";
        settings["TokenProxy:Providers:keyed:Auth"] = "ApiKey";
        settings["TokenProxy:Providers:keyed:ApiKey:Header"] = "X-Api-Key";
        await using var proxy = await ProxyHost.StartAsync(settings);

        string? Detail(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<JsonElement>().Result.GetProperty("detail").GetString();
        using var preset = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/github"));
        using var file = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/acme"));
        using var unknown = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/providers/nowhere"));
        var keyed = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/keyed");
        var oauth = await proxy.Client.GetFromJsonAsync<JsonElement>("/admin/api/providers/acme");

        Assert.All(new[] { preset, file, unknown }, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Contains("is a built-in preset", Detail(preset), StringComparison.Ordinal);
        Assert.Contains("comes from the configuration files", Detail(file), StringComparison.Ordinal);
        Assert.Equal("No provider 'nowhere' was stored through the admin API.", Detail(unknown));
        Assert.Equal(JsonValueKind.Null, keyed.GetProperty("redirectUri").ValueKind);
        Assert.EndsWith("/admin/callback/acme", oauth.GetProperty("redirectUri").GetString(), StringComparison.Ordinal);
    }

    internal static Task<HttpResponseMessage> PutAsync(ProxyHost proxy, string name, object entry) =>
        proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Put, $"/admin/api/providers/{name}", entry));

    private static async Task<object?> ScalarAsync(ProxyHost proxy, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={proxy.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
