using System.Diagnostics;
using System.Text.Json;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// The real authorization server for end-to-end OAuth tests: the certified <c>oidc-provider</c> npm
/// package, launched by node from <c>tests/oauth-server/</c> with a client whose redirect URI points at the
/// proxy under test. Rotating refresh tokens, the client credentials grant (the client may ask for every scope but
/// <c>api:admin</c>), revocation and introspection are on.
/// </summary>
internal sealed class OidcProviderServer : IAsyncDisposable
{
    public const string ClientId = "tokenproxy-test";
    public const string ClientSecret = "CANARYoidcsecret-9f8e7d6c5b4a39281706";

    private readonly Process _process;

    private OidcProviderServer(Process process, Uri issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    public Uri Issuer { get; }

    /// <summary>The issuer as configured (no trailing slash), which is what oidc-provider puts in <c>iss</c>.</summary>
    public string IssuerText => Issuer.AbsoluteUri.TrimEnd('/');

    public static string Directory => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../oauth-server"));

    public static async Task<OidcProviderServer> StartAsync(string redirectUri, int accessTokenSeconds = 2)
    {
        await EnsureModulesAsync();
        var start = new ProcessStartInfo("node", "server.mjs")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["PORT"] = "0",
                ["CLIENT_ID"] = ClientId,
                ["CLIENT_SECRET"] = ClientSecret,
                ["REDIRECT_URIS"] = redirectUri,
                ["ACCESS_TOKEN_TTL"] = accessTokenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) { errors.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            lock (errors)
            {
                throw new InvalidOperationException($"oidc-provider did not start: {line}\n{errors}");
            }
        }

        return new OidcProviderServer(process, new Uri(line["READY ".Length..]));
    }

    /// <summary>Installs the locked npm modules on first use, so the test command works on a fresh clone.</summary>
    private static async Task EnsureModulesAsync()
    {
        if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "oidc-provider")))
        {
            return;
        }

        using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error") { WorkingDirectory = Directory, UseShellExecute = false })!;
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {Directory} failed with exit code {npm.ExitCode}.");
        }
    }

    /// <summary>Token endpoint calls counted by the server, by grant type.</summary>
    public async Task<JsonElement> StatsAsync()
    {
        using var client = new HttpClient();
        return await client.GetFromJsonAsync<JsonElement>(new Uri(Issuer, "/test/stats"));
    }

    /// <summary>
    /// While on, a refresh's answer is held after the server processed the grant (the refresh token already rotated); off
    /// sends the held answers. <c>held</c> in <see cref="StatsAsync"/> counts the refreshes held.
    /// </summary>
    public async Task HoldRefreshAnswersAsync(bool hold)
    {
        using var client = new HttpClient();
        using var response = await client.SendAsync(new HttpRequestMessage(hold ? HttpMethod.Put : HttpMethod.Delete, new Uri(Issuer, "/test/hold")));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>RFC 7662 introspection, authenticated as the client: is this token still active?</summary>
    public async Task<bool> IsActiveAsync(string token) => (await IntrospectAsync(token)).GetProperty("active").GetBoolean();

    /// <summary>RFC 7662 introspection, authenticated as the client: what the server says about this token (active, client_id, scope…).</summary>
    public async Task<JsonElement> IntrospectAsync(string token)
    {
        using var response = await PostAsClientAsync("/token/introspection", new() { ["token"] = token });
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>RFC 7009 revocation at the server, authenticated as the client (revoking a refresh token ends its whole grant).</summary>
    public async Task RevokeAsync(string token, string tokenTypeHint)
    {
        using var response = await PostAsClientAsync("/token/revocation", new() { ["token"] = token, ["token_type_hint"] = tokenTypeHint });
    }

    private async Task<HttpResponseMessage> PostAsClientAsync(string path, Dictionary<string, string> form)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Issuer, path)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}")));
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        // The body is buffered by SendAsync: it stays readable after the client is disposed.
        return response;
    }

    /// <summary>Provider settings pointing the proxy at this server by issuer (endpoints come from discovery).</summary>
    public Dictionary<string, string?> Provider(string name) => new()
    {
        [$"TokenProxy:Providers:{name}:Issuer"] = IssuerText,
        [$"TokenProxy:Providers:{name}:ApiBaseUrl"] = IssuerText,
        [$"TokenProxy:Providers:{name}:ClientId"] = ClientId,
        [$"TokenProxy:Providers:{name}:ClientSecret"] = ClientSecret,
        [$"TokenProxy:Providers:{name}:Scopes:0"] = "openid",
        [$"TokenProxy:Providers:{name}:Scopes:1"] = "email",
        [$"TokenProxy:Providers:{name}:Scopes:2"] = "profile",
        [$"TokenProxy:Providers:{name}:Identity:Url"] = new Uri(Issuer, "/me").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:Identity:IdField"] = "sub",
        [$"TokenProxy:Providers:{name}:Identity:EmailField"] = "email",
        [$"TokenProxy:Providers:{name}:Identity:NameField"] = "name",
    };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
