using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Hosting;

/// <summary>What a person needs first: where the admin pages are, which store, and where the vault key comes from (never the key).</summary>
internal static class StartupBanner
{
    public static async Task WriteAsync(WebApplication app, TextWriter output)
    {
        var services = app.Services;
        var options = services.GetRequiredService<IOptions<PublicUrlOptions>>().Value;
        var address = BrowsableAddress(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses, options.PublicBaseUrl);
        var access = services.GetRequiredService<IOptions<ClientAccessOptions>>().Value;
        var note = PublicBaseUrlNote(app.Configuration, address, options.PublicBaseUrl)
            + OpenAdminNote(access, services.GetRequiredService<IOptions<Admin.AdminOptions>>().Value)
            + UnknownClientProviderNotes(access, services.GetRequiredService<ProviderCatalog>());
        var keys = services.GetRequiredService<VaultKeyRing>();
        var keySource = keys.Source == VaultInitializer.KeyVariable ? $"{VaultInitializer.KeyVariable} (environment)" : keys.Source;
        await output.WriteLineAsync(
            $"""
            TokenProxy {ProductVersion.Text} is running.
              Admin:     {address}/admin/connections
              Proxy:     {address}/{"{provider}"}/...
              Store:     {services.GetRequiredService<IConnectionStore>().Description}
              Vault key: {keySource} (key id {keys.Active.Id}){note}
              Stop with Ctrl+C; commands and options: TokenProxy --help
            """);
        await output.FlushAsync();
    }

    /// <summary>
    /// A line when <c>PublicBaseUrl</c> was left at its default and the proxy listens elsewhere (<c>--urls</c> changed the
    /// port): redirect URIs and connect links would point where nothing answers. Set on purpose (a reverse proxy in front),
    /// it is not questioned.
    /// </summary>
    internal static string PublicBaseUrlNote(IConfiguration configuration, string address, string publicBaseUrl) =>
        configuration[$"{PublicUrlOptions.SectionName}:{nameof(PublicUrlOptions.PublicBaseUrl)}"] is null
        && !string.Equals(address, publicBaseUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            ? $"{Environment.NewLine}  Note:      redirect URIs and connect links use {publicBaseUrl.TrimEnd('/')} (the default TokenProxy:PublicBaseUrl), " +
              $"not this address; set TokenProxy:PublicBaseUrl={address} if browsers reach the proxy here."
            : string.Empty;

    /// <summary>
    /// A line when client keys guard the data plane but no admin token guards the admin API: any program on this machine
    /// can still use the admin API, and through it point a provider's API base elsewhere, so the keys keep out only
    /// programs that do not try. Not refused: keys that only route an app to its workspace's connections are fine so.
    /// </summary>
    internal static string OpenAdminNote(ClientAccessOptions access, Admin.AdminOptions admin) =>
        access.Clients.Count > 0 && string.IsNullOrEmpty(admin.Token)
            ? $"{Environment.NewLine}  Note:      client keys are set but TokenProxy:Admin:Token is not: any program on this machine can use the admin API " +
              "(and change where a provider's requests go) without a key; set an admin token to make the keys a boundary."
            : string.Empty;

    /// <summary>
    /// A line for each name in a client key's <c>Providers</c> that no provider has once the stored ones are read: that key
    /// is refused every request for it, which a typo would otherwise only show as 403s. Not a configuration problem: a
    /// provider of that name may be stored later through the admin API.
    /// </summary>
    internal static string UnknownClientProviderNotes(ClientAccessOptions access, ProviderCatalog catalog)
    {
        var notes = new System.Text.StringBuilder();
        foreach (var (client, settings) in access.Clients)
        {
            foreach (var name in (settings.Providers ?? []).Where(name => !catalog.TryGet(name, out _)))
            {
                var hint = Spelling.DidYouMean(name, catalog.All.Select(p => p.Name));
                notes.Append(Environment.NewLine).Append(ConfigurationCheck.Escaped(
                    $"  Note:      TokenProxy:Clients:{client}:Providers names '{name}', which no provider is called{hint}; that key cannot use it."));
            }
        }

        return notes.ToString();
    }

    /// <summary>The first address Kestrel listens on, as a browser would use it; a wildcard listen is reached through <c>PublicBaseUrl</c>.</summary>
    internal static string BrowsableAddress(ICollection<string>? addresses, string publicBaseUrl)
    {
        var first = addresses?.FirstOrDefault();
        return first is null || !Uri.TryCreate(first, UriKind.Absolute, out var uri) || uri.Host is "0.0.0.0" or "[::]" or "::"
            ? publicBaseUrl.TrimEnd('/')
            : first.TrimEnd('/');
    }
}
