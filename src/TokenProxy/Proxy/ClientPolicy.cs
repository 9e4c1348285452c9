using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TokenProxy.Proxy;

/// <summary>The app a data-plane request was accepted for, with what its key allows.</summary>
internal sealed record ProxyClient(string Name, IReadOnlySet<string>? Providers, string? Workspace, string? EndUser = null)
{
    public static readonly ProxyClient Anonymous = new("(no key)", null, null);
}

/// <summary>
/// Decides who may use the data plane, before any token is read. A web page must not be able to drive
/// the proxy from a person's browser (docs/architecture.md §6, C15): any <c>Origin</c> not in
/// <c>TokenProxy:AllowedOrigins</c>, and a browser request from a page (<c>Sec-Fetch-Site</c> other than
/// <c>none</c>) without an allowed origin, are refused, WebSocket upgrades included;
/// clients that send no Origin (every non-browser HTTP client) pass. When client keys are configured,
/// each request must present one; keys are kept only as SHA-256 hashes and compared in constant time.
/// </summary>
internal sealed class ClientPolicy
{
    public const string ClientKeyHeader = "Proxy-Authorization";

    private readonly HashSet<string> _allowedOrigins;
    private readonly (byte[] Hash, ProxyClient Client)[] _keys;

    public ClientPolicy(IOptions<ClientAccessOptions> options)
    {
        _allowedOrigins = new HashSet<string>(options.Value.AllowedOrigins.Select(o => o.TrimEnd('/')), StringComparer.OrdinalIgnoreCase);
        _keys = [.. options.Value.Clients
            .Where(c => !string.IsNullOrEmpty(c.Value.Key))
            .Select(c => (Hash(c.Value.Key!), new ProxyClient(c.Key, c.Value.Providers is { Length: > 0 } p ? new HashSet<string>(p, StringComparer.OrdinalIgnoreCase) : null, c.Value.Workspace, c.Value.EndUser)))];
    }

    public bool RequiresKey => _keys.Length > 0;

    /// <summary>The accepted client, or the problem to answer with.</summary>
    public (ProxyClient? Client, ProblemResult? Problem) Check(HttpRequest request, string provider)
    {
        var origin = request.Headers.Origin is [{ } sent] ? sent.TrimEnd('/') : null;
        if (origin is not null && !_allowedOrigins.Contains(origin))
        {
            return (null, Forbidden("origin_forbidden", $"Browser origin '{origin}' is not in TokenProxy:AllowedOrigins."));
        }

        // A browser says where a request comes from. Anything but a typed address ("none") must come from an
        // allowed origin: "same-site" includes every other port on localhost, and an <img> or a link sends no Origin.
        if (request.Headers["Sec-Fetch-Site"] is [{ } site] && site != "none" && origin is null)
        {
            return (null, Forbidden("cross_site_forbidden", "Requests from web pages are refused unless their origin is in TokenProxy:AllowedOrigins: a page must not use the tokens of the person viewing it."));
        }

        if (_keys.Length == 0)
        {
            return (ProxyClient.Anonymous, null);
        }

        var presented = request.Headers[ClientKeyHeader].ToString();
        const string Bearer = "Bearer ";
        if (!presented.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return (null, KeyRequired());
        }

        var hash = Hash(presented[Bearer.Length..].Trim());
        ProxyClient? match = null;
        foreach (var (keyHash, client) in _keys)
        {
            // Check every key, so the time taken does not tell which one (if any) matched.
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                match = client;
            }
        }

        if (match is null)
        {
            return (null, KeyRequired());
        }

        return match.Providers is { } allowed && !allowed.Contains(provider)
            ? (null, Forbidden("client_forbidden", $"This client key may not use provider '{provider}'."))
            : (match, null);
    }

    private static ProblemResult KeyRequired() => new(
        StatusCodes.Status407ProxyAuthenticationRequired, "client_key_required", "Client key required.",
        $"Send a configured client key as '{ClientKeyHeader}: Bearer <key>'.",
        header: KeyValuePair.Create("Proxy-Authenticate", "Bearer realm=\"TokenProxy\""));

    private static ProblemResult Forbidden(string code, string detail) => new(StatusCodes.Status403Forbidden, code, "Forbidden.", detail);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
