using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>The proxy's own failures, as every test checks them (docs/architecture.md §2).</summary>
internal static class Problems
{
    /// <summary>
    /// Asserts an RFC 9457 problem with <paramref name="status"/> and <paramref name="code"/> in the body and the
    /// <c>TokenProxy-Error</c> header, never cached; returns the body for further checks.
    /// </summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, response.Headers.GetValues("TokenProxy-Error").Single());
        Assert.Equal(new CacheControlHeaderValue { NoStore = true }, response.Headers.CacheControl);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"urn:tokenproxy:problem:{code.Replace('_', '-')}", problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }
}
