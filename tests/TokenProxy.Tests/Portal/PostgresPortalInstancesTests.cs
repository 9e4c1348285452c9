using System.Net;
using System.Text.Json;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Vault;

namespace TokenProxy.Tests.Portal;

/// <summary>
/// Portal sessions live in the shared store: a session started on one instance opens the portal on every other, and
/// the operator ending it on one ends it everywhere at once.
/// </summary>
[Collection(PostgresTests.Collection)]
public sealed class PostgresPortalInstancesTests(PostgresServer server)
{
    [Fact]
    public async Task A_session_started_on_one_instance_works_on_another_and_ends_on_both_when_the_operator_ends_it()
    {
        await using var database = await server.CreateDatabaseAsync();
        var keyDirectory = ProxyHost.NewDataDirectory();
        try
        {
            var keyFile = ProxyHost.KeyFileFor(keyDirectory);
            VaultInitializer.WriteKeyFile(keyFile, VaultKey.Generate());
            var settings = new Dictionary<string, string?>
            {
                ["TokenProxy:Store:Kind"] = "Postgres",
                ["TokenProxy:Store:ConnectionString"] = database.ConnectionString,
                ["TokenProxy:Vault:KeyFile"] = keyFile,
                ["TokenProxy:Admin:Token"] = PortalScenario.AdminToken,
                ["TokenProxy:Refresh:Background"] = "false",
            };
            await using var first = await ProxyHost.StartAsync(settings);
            await using var second = await ProxyHost.StartAsync(settings);
            foreach (var host in new[] { first, second })
            {
                host.Client.DefaultRequestHeaders.Authorization = new("Bearer", PortalScenario.AdminToken);
            }

            using var created = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces", new { id = "acme" }));
            using var minted = await first.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, "/admin/api/workspaces/acme/portal-links"));
            var link = new Uri((await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!);
            using var browser = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false });
            using var entered = await browser.GetAsync(new Uri(first.Address, link.PathAndQuery));
            var cookie = PortalScenario.CookieOf(entered);

            using var onSecond = await browser.SendAsync(PortalScenario.Request(HttpMethod.Get, new Uri(second.Address, "/portal/connections").AbsoluteUri, cookie, csrf: false));
            using var ended = await second.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Delete, "/admin/api/workspaces/acme/portal-sessions"));
            using var onFirst = await browser.SendAsync(PortalScenario.Request(HttpMethod.Get, new Uri(first.Address, "/portal/connections").AbsoluteUri, cookie, csrf: false));
            using var linkOnFirst = await browser.GetAsync(new Uri(first.Address, link.PathAndQuery));

            Assert.Equal(HttpStatusCode.SeeOther, entered.StatusCode);
            Assert.Equal(HttpStatusCode.OK, onSecond.StatusCode);
            Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, onFirst.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, linkOnFirst.StatusCode);
        }
        finally
        {
            ProxyHost.DeleteDataDirectory(keyDirectory);
        }
    }
}
