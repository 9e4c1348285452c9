using System.Net;
using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.Proxy;

namespace TokenProxy.Hosting;

/// <summary>
/// <c>Urls</c> and <c>Kestrel:Endpoints</c> are addresses Kestrel can listen on, and an address other machines can reach
/// has both planes protected: the admin token and at least one client key (docs/architecture.md, §6, C17). Validates the
/// data plane's <see cref="ClientAccessOptions"/>, with the admin settings read beside them.
/// </summary>
internal sealed class ListenAddressValidator(IConfiguration configuration) : IValidateOptions<ClientAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientAccessOptions options)
    {
        var errors = new List<string>();
        var listen = ListenAddresses().ToList();
        foreach (var url in listen.Where(url => !IsListenAddress(url)))
        {
            errors.Add($"Urls: '{url}' is not a valid listen address (http:// or https://, a host, and a port 1–65535, for example http://127.0.0.1:5080).");
        }

        var adminToken = configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>()?.Token;
        var exposed = listen.Where(url => IsListenAddress(url) && !IsLoopbackListen(url)).ToList();
        if (exposed.Count > 0 && (string.IsNullOrEmpty(adminToken) || !options.Clients.Values.Any(c => !string.IsNullOrEmpty(c.Key))))
        {
            errors.Add($"Urls: {string.Join(", ", exposed)} can be reached from other machines. Listening there needs TokenProxy:Admin:Token and at least one " +
                "TokenProxy:Clients:{name}:Key, so that neither the admin surface nor people's tokens are open to the network; or listen on 127.0.0.1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private IEnumerable<string> ListenAddresses()
    {
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>();
        return urls.Concat(endpoints);
    }

    /// <summary>
    /// An address Kestrel can listen on, read as Kestrel reads it (<see cref="BindingAddress"/>): port 0 asks for any free
    /// port; Kestrel takes a port above 65535 and only fails when it binds, with an exception that names no address.
    /// </summary>
    private static bool IsListenAddress(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            return (address.Scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || address.Scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
                && (address.IsUnixPipe || (address.Host.Length > 0 && address.Port is >= 0 and <= IPEndPoint.MaxPort));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>True for localhost and loopback addresses; false for wildcards (*, +, 0.0.0.0, [::]) and anything else.</summary>
    private static bool IsLoopbackListen(string url)
    {
        var at = url.IndexOf("://", StringComparison.Ordinal);
        var host = at < 0 ? url : url[(at + 3)..];
        host = host.StartsWith('[') ? host[..(host.IndexOf(']', StringComparison.Ordinal) + 1)] : host.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
