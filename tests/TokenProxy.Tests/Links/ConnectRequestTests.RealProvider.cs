using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;

namespace TokenProxy.Tests.Links;

/// <summary>The whole link flow against the real authorization server (node oidc-provider), its login and consent pages.</summary>
public abstract partial class ConnectRequestTests
{
    [Fact]
    public async Task A_person_without_admin_access_connects_through_a_link_at_the_real_provider()
    {
        var port = ProxyHost.FreePort();
        var publicBase = $"http://127.0.0.1:{port}";
        await using var server = await OidcProviderServer.StartAsync($"{publicBase}/admin/callback/oidc");
        var settings = server.Provider("oidc");
        foreach (var (key, value) in await StoreSettingsAsync())
        {
            settings[key] = value;
        }

        settings["Urls"] = publicBase;
        settings["TokenProxy:PublicBaseUrl"] = publicBase;
        settings["TokenProxy:Admin:Token"] = LinkScenario.AdminToken;
        await using var proxy = await ProxyHost.StartAsync(settings);
        using var admin = new HttpClient { BaseAddress = proxy.Address };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", LinkScenario.AdminToken);
        admin.DefaultRequestHeaders.Add("TokenProxy-Csrf", "1");
        (await admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "acme-co", displayName = "Acme Co" })).Dispose();
        using var created = await admin.PostAsJsonAsync("/admin/api/connect-requests", new { workspace = "acme-co", provider = "oidc", endUser = new { id = "carol" } });
        var request = await created.Content.ReadFromJsonAsync<JsonElement>();
        using var browser = new ConnectFlow(proxy.Address);

        using var connect = await browser.PostFormAsync(new Uri(request.GetProperty("url").GetString()!).AbsolutePath);
        var back = await OidcLogin.AuthorizeAsync(connect.Headers.Location!, "carol", $"{publicBase}/admin/callback/oidc");
        using var callback = await browser.GetAsync(back.PathAndQuery);
        var connection = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/admin/api/connections?workspace=acme-co")).EnumerateArray());
        var completed = await admin.GetFromJsonAsync<JsonElement>($"/admin/api/connect-requests/{request.GetProperty("id").GetString()}");
        using var me = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/oidc/me")
        {
            Headers = { { "TokenProxy-Workspace", "acme-co" }, { "TokenProxy-End-User", "carol" } },
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, callback.StatusCode);
        Assert.Equal("active", connection.GetProperty("status").GetString());
        Assert.Equal("carol", connection.GetProperty("endUser").GetProperty("id").GetString());
        Assert.Equal("carol@example.com", connection.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal("connect_request", connection.GetProperty("origin").GetString());
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(connection.GetProperty("id").GetString(), completed.GetProperty("resultConnection").GetString());
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(1, (await server.StatsAsync()).GetProperty("authorization_code").GetInt32());
    }
}
