using System.Net;
using Microsoft.Extensions.Options;
using TokenProxy.Admin;
using TokenProxy.Proxy;

namespace TokenProxy.Tests.Admin;

/// <summary>Threat: the admin surface reached from another machine or driven by another site (docs/architecture.md §6: C16).</summary>
public sealed class AdminAccessFilterTests
{
    [Theory]
    [InlineData("10.0.0.5", "GET", null, 403)]
    [InlineData("192.168.1.20", "POST", "1", 403)]
    [InlineData("127.0.0.1", "GET", null, 200)]
    [InlineData("::1", "GET", null, 200)]
    [InlineData("127.0.0.1", "POST", null, 403)]
    [InlineData("127.0.0.1", "DELETE", null, 403)]
    [InlineData("127.0.0.1", "POST", "1", 200)]
    public async Task Without_an_admin_token_only_loopback_gets_in_and_state_changes_need_the_csrf_header(string remote, string method, string? csrf, int expected)
    {
        using var guesses = new AdminTokenGuesses(Microsoft.Extensions.Logging.Abstractions.NullLogger<AdminTokenGuesses>.Instance);
        var filter = new AdminAccessFilter(Options.Create(new AdminOptions()), guesses);
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Method = method;
        if (csrf is not null)
        {
            context.Request.Headers[AdminAccessFilter.CsrfHeader] = csrf;
        }

        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ => ValueTask.FromResult<object?>(Results.Ok()));

        var status = result is ProblemResult problem ? problem.Status : 200;
        Assert.Equal(expected, status);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
    }
}
