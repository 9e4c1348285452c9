using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using TokenProxy.Tests.Infrastructure;
using TokenProxy.Tests.OAuth;
using TokenProxy.Tests.Tokens;

namespace TokenProxy.Tests.Links;

/// <summary>
/// A <see cref="RefreshScenario"/> (provider <c>acme</c> with a scriptable token endpoint) with <c>Admin:Token</c> set and a
/// workspace <c>acme-co</c>: <see cref="Admin"/> carries the admin token, a <see cref="Browser"/> carries nothing but its cookies.
/// </summary>
internal sealed class LinkScenario : IAsyncDisposable
{
    public const string AdminToken = "CANARYadmintoken-0123456789abcdef";

    private LinkScenario(RefreshScenario inner)
    {
        Inner = inner;
        Admin = new HttpClient { BaseAddress = inner.Proxy.Address };
        Admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        Admin.DefaultRequestHeaders.Add("TokenProxy-Csrf", "1");
    }

    public RefreshScenario Inner { get; }

    public HttpClient Admin { get; }

    public FakeAuthorizationServer Authorization => Inner.Authorization;

    public ProxyHost Proxy => Inner.Proxy;

    public static async Task<LinkScenario> StartAsync(
        IReadOnlyDictionary<string, string?> store, Action<Dictionary<string, string?>>? configure = null, CollectedTelemetry? telemetry = null, bool fakeClock = false)
    {
        var inner = await RefreshScenario.StartAsync(settings =>
        {
            foreach (var (key, value) in store)
            {
                settings[key] = value;
            }

            settings["TokenProxy:Admin:Token"] = AdminToken;
            configure?.Invoke(settings);
        }, telemetry: telemetry, fakeClock: fakeClock);
        var scenario = new LinkScenario(inner);
        using var workspace = await scenario.Admin.PostAsJsonAsync("/admin/api/workspaces", new { id = "acme-co", displayName = "Acme Co" });
        Assert.Equal(HttpStatusCode.Created, workspace.StatusCode);
        return scenario;
    }

    /// <summary>A browser without admin credentials.</summary>
    public ConnectFlow Browser() => new(Proxy.Address);

    /// <summary>Creates a connect request and returns its JSON (with its url).</summary>
    public async Task<JsonElement> CreateAsync(object body)
    {
        using var response = await Admin.PostAsJsonAsync("/admin/api/connect-requests", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return json;
    }

    public Task<JsonElement> CreateAsync() => CreateAsync(new { workspace = "acme-co", provider = "acme" });

    public async Task<JsonElement> RequestAsync(string id) => await Admin.GetFromJsonAsync<JsonElement>($"/admin/api/connect-requests/{id}");

    /// <summary>The connections of <c>acme-co</c>.</summary>
    public async Task<JsonElement[]> ConnectionsAsync() =>
        [.. (await Admin.GetFromJsonAsync<JsonElement>("/admin/api/connections?workspace=acme-co")).EnumerateArray()];

    /// <summary>The path of a link (<c>/connect/{token}</c>).</summary>
    public static string PathOf(JsonElement request) => new Uri(request.GetProperty("url").GetString()!).AbsolutePath;

    /// <summary>Opens the link, presses Connect, and returns the state the provider was sent.</summary>
    public static async Task<string> StartAsync(ConnectFlow browser, string link)
    {
        using var page = await browser.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var connect = await browser.PostFormAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, connect.StatusCode);
        return QueryHelpers.ParseQuery(connect.Headers.Location!.Query)["state"].ToString();
    }

    public ValueTask DisposeAsync()
    {
        Admin.Dispose();
        return Inner.DisposeAsync();
    }
}
