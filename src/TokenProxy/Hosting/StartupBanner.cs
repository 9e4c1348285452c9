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
        var note = PublicBaseUrlNote(app.Configuration, address, options.PublicBaseUrl)
            + UnknownClientProviderNotes(services.GetRequiredService<IOptions<ClientAccessOptions>>().Value, services.GetRequiredService<ProviderCatalog>());
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
