using System.Text.Json;
using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Webhooks;

/// <summary>What the webhook tests share: a proxy configured with a webhook, its test event and its deliveries.</summary>
internal static class WebhookSetup
{
    /// <summary>A provider <c>acme</c> and a webhook <c>hook</c> for connections' creation and deletion.</summary>
    internal static Dictionary<string, string?> Settings(Uri url, string secret, string name = "hook")
    {
        var settings = ProxyHost.Provider("acme", new Uri("https://api.acme.test/"));
        settings[$"TokenProxy:Webhooks:{name}:Url"] = url.AbsoluteUri;
        settings[$"TokenProxy:Webhooks:{name}:Secret"] = secret;
        settings[$"TokenProxy:Webhooks:{name}:Events:0"] = "connection.created";
        settings[$"TokenProxy:Webhooks:{name}:Events:1"] = "connection.deleted";
        return settings;
    }

    /// <summary>Sends the webhook a test event; its event id.</summary>
    internal static async Task<string> TestEventAsync(ProxyHost proxy, string name = "hook")
    {
        using var response = await proxy.Client.SendAsync(ProxyHost.AdminRequest(HttpMethod.Post, $"/admin/api/webhooks/{name}/test"));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("eventId").GetString()!;
    }

    /// <summary>The webhook's deliveries, newest first, as the admin API lists them.</summary>
    internal static async Task<List<JsonElement>> DeliveriesAsync(ProxyHost proxy, string name = "hook") =>
        [.. (await proxy.Client.GetFromJsonAsync<JsonElement>($"/admin/api/webhooks/{name}/deliveries")).EnumerateArray()];

    /// <summary>The first of the webhook's deliveries that <paramref name="found"/> matches, once there is one (within 60 s).</summary>
    internal static async Task<JsonElement> WaitForDeliveryAsync(ProxyHost proxy, Func<JsonElement, bool> found, string name = "hook")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var match = (await DeliveriesAsync(proxy, name)).Where(found).ToList();
            if (match.Count > 0)
            {
                return match[0];
            }

            Assert.True(DateTime.UtcNow < deadline, $"no delivery of {name} reached that state");
            await Task.Delay(50);
        }
    }
}
