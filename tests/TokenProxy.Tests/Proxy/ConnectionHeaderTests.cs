using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Proxy;

/// <summary>
/// RFC 9110 §7.6.1: every field named in <c>Connection</c> is hop-by-hop and must not be forwarded, whatever else the
/// <c>Connection</c> line says. Sent over raw sockets: HttpClient would rewrite the line before it left.
/// </summary>
public sealed class ConnectionHeaderTests : IAsyncLifetime
{
    private ProxyScenario _scenario = null!;

    public async Task InitializeAsync()
    {
        _scenario = await ProxyScenario.StartAsync();
        await _scenario.Proxy.ImportAsync("acme", Canary.New("access"));
    }

    public Task DisposeAsync() => _scenario.DisposeAsync().AsTask();

    public static TheoryData<string[], string[]> ConnectionForms => new()
    {
        // What curl and most HTTP/1.1 clients send.
        { ["Connection: keep-alive, X-A"], ["X-A"] },
        { ["Connection: close, X-A, X-B"], ["X-A", "X-B"] },
        { ["Connection: upgrade, X-A"], ["X-A"] },
        { ["Connection: Keep-Alive, x-a,X-B"], ["X-A", "X-B"] },
        { ["Connection: KEEP-ALIVE", "Connection: X-A", "connection: x-b"], ["X-A", "X-B"] },
        { ["Connection: X-A"], ["X-A"] },
        { ["Connection: ,, keep-alive ,X-A ,"], ["X-A"] },
    };

    [Theory]
    [MemberData(nameof(ConnectionForms))]
    public async Task Headers_named_in_Connection_never_reach_the_api_and_others_do(string[] connectionLines, string[] named)
    {
        string[] headers = ["X-A: secret-a", "X-B: secret-b", "X-Kept: kept", .. connectionLines];

        var (status, _) = await RawHttp.SendAsync(_scenario.Proxy.Address, "GET", "/acme/items", headers);

        Assert.Equal(200, status);
        var seen = Assert.Single(_scenario.Api.Requests);
        foreach (var name in named)
        {
            Assert.Null(seen.Header(name));
        }

        Assert.Equal("kept", seen.Header("X-Kept"));
        foreach (var other in new[] { "X-A", "X-B" }.Except(named, StringComparer.OrdinalIgnoreCase))
        {
            Assert.NotNull(seen.Header(other));
        }
    }

    [Fact]
    public async Task Named_headers_are_removed_on_every_request_of_a_kept_alive_connection()
    {
        // Kestrel reuses a header value's string when the next request on the connection sends the same bytes.
        string[] named = ["X-A: secret-a", "X-Kept: kept", "Connection: keep-alive, X-A"];
        string[] plain = ["X-A: plain-a", "Connection: keep-alive"];

        var statuses = await RawHttp.SendOnOneConnectionAsync(_scenario.Proxy.Address, "/acme/items", named, named, plain, plain, named);

        Assert.All(statuses, status => Assert.Equal(200, status));
        var seen = _scenario.Api.Requests.ToArray();
        Assert.Equal([null, null, "plain-a", "plain-a", null], seen.Select(r => r.Header("X-A")));
        Assert.All(seen.Where(r => r.Header("X-A") is null), r => Assert.Equal("kept", r.Header("X-Kept")));
    }

    [Theory]
    [InlineData("GET", "keep-alive, Content-Type", null)]
    [InlineData("GET", "keep-alive, Expires, Content-Encoding", null)]
    [InlineData("POST", "keep-alive, Content-Type", "abc")]
    [InlineData("POST", "keep-alive, Content-Length", "abc")]
    [InlineData("GET", "close, \"X-A\", X A B, X-B", null)]
    public async Task A_Connection_line_naming_body_fields_or_no_field_name_is_forwarded_not_blamed_on_the_provider(string method, string connection, string? body)
    {
        string[] headers = ["X-B: secret-b", "X-Kept: kept", $"Connection: {connection}", .. body is null ? Array.Empty<string>() : ["Content-Type: text/plain"]];

        var (status, _) = await RawHttp.SendWithBodyAsync(_scenario.Proxy.Address, method, "/acme/items", body, headers);

        Assert.Equal(200, status);
        var seen = Assert.Single(_scenario.Api.Requests);
        Assert.Equal("kept", seen.Header("X-Kept"));
        if (connection.Contains("X-B", StringComparison.Ordinal))
        {
            Assert.Null(seen.Header("X-B"));
        }

        if (body is not null)
        {
            // Content-Length frames the body the proxy sends: the body arrives whole whatever the app called hop-by-hop.
            Assert.Equal(body, System.Text.Encoding.UTF8.GetString(seen.Body));
            Assert.Equal(connection.Contains("Content-Type", StringComparison.Ordinal) ? null : "text/plain", seen.Header("Content-Type"));
        }

        Assert.DoesNotContain("upstream_unavailable", await _scenario.Proxy.Client.GetStringAsync("/admin/api/events"), StringComparison.Ordinal);
    }
}
