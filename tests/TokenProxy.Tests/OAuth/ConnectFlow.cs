using System.Net;
using Microsoft.AspNetCore.WebUtilities;

namespace TokenProxy.Tests.OAuth;

/// <summary>A browser stand-in: keeps cookies, never follows redirects, so each step of a connect can be inspected.</summary>
internal sealed class ConnectFlow : IDisposable
{
    private readonly HttpClient _browser;

    public ConnectFlow(Uri proxy, CookieContainer? cookies = null)
    {
        Cookies = cookies ?? new CookieContainer();
        _browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies }) { BaseAddress = proxy };
    }

    public CookieContainer Cookies { get; }

    /// <summary>Opens the connect URL and returns the authorization request's query parameters.</summary>
    public async Task<Dictionary<string, string>> StartAsync(string connectPath)
    {
        using var response = await _browser.GetAsync(connectPath);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _browser.GetAsync(path);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _browser.SendAsync(request);

    /// <summary>Submits a form from a TokenProxy page, as the browser would (same origin).</summary>
    public Task<HttpResponseMessage> PostFormAsync(string path, params (string Key, string Value)[] form) =>
        _browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value))),
            Headers = { { "Sec-Fetch-Site", "same-origin" } },
        });

    /// <summary>Comes back to the proxy as the authorization server would redirect the browser.</summary>
    public Task<HttpResponseMessage> CallbackAsync(string provider, params (string Key, string Value)[] query) =>
        _browser.GetAsync(QueryHelpers.AddQueryString($"/admin/callback/{provider}", query.Select(q => KeyValuePair.Create(q.Key, (string?)q.Value))));

    public void Dispose() => _browser.Dispose();
}
