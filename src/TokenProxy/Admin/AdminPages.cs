using System.Reflection;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>The HTML admin pages and their two static assets (embedded in the executable: nothing to deploy beside it).</summary>
internal static class AdminPages
{
    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Assets = new(StringComparer.Ordinal)
    {
        ["admin.css"] = ("text/css; charset=utf-8", Load("admin.css")),
        ["admin.js"] = ("text/javascript; charset=utf-8", Load("admin.js")),
    };

    public static RouteGroupBuilder MapAdminPages(this RouteGroupBuilder admin)
    {
        admin.MapGet("/", () => Results.Redirect("/admin/connections"));
        admin.MapGet("/connections", ConnectionsPage.RenderAsync);
        admin.MapGet("/connections/{id}", (string id, string? done, string? connected, IConnectionStore store, ProviderCatalog providers, CancellationToken cancellationToken) =>
            ConnectionPage.RenderAsync(id, done, connected, store, providers, cancellationToken));
        admin.MapGet("/assets/{name}", (string name) => Assets.TryGetValue(name, out var asset)
            ? Results.Bytes(asset.Content, asset.ContentType)
            : Results.NotFound());
        return admin;
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"TokenProxy.Admin.Assets.{name}")
            ?? throw new InvalidOperationException($"The admin asset {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
