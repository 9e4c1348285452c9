using System.Net.Http.Headers;
using System.Text;
using TokenProxy.Vault;

namespace TokenProxy.Webhooks;

/// <summary>One attempt of one delivery: the signed POST, and what its answer (or its absence) means (<see cref="WebhookRetry"/>).</summary>
internal sealed class WebhookSender(WebhookHttp http, TimeProvider time, WebhookInstrumentation instrumentation)
{
    public async Task<WebhookAttempt> SendAsync(WebhookRow webhook, string secret, WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        using var activity = WebhookInstrumentation.StartDelivery(delivery);
        var now = time.GetUtcNow();
        var body = Encoding.UTF8.GetBytes(delivery.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("TokenProxy-Event-Id", delivery.EventId);
        request.Headers.Add("TokenProxy-Event-Type", delivery.EventType);
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, now.ToUnixTimeSeconds(), body));

        int? status = null;
        string? error = null;
        var transient = true;
        TimeSpan? retryAfter = null;
        using var timeout = new CancellationTokenSource(WebhookHttp.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            status = (int)response.StatusCode;
            retryAfter = WebhookRetry.RetryAfter(response, now);
            transient = WebhookRetry.IsTransient(status.Value);
            error = status switch
            {
                >= 200 and < 300 => null,
                >= 300 and < 400 => "a redirect, which webhooks never follow",
                _ => $"HTTP {status}",
            };
        }
        catch (HttpRequestException e) when (e.InnerException is WebhookAddressRefusedException refused)
        {
            transient = false;
            error = refused.Message;
        }
        catch (HttpRequestException e)
        {
            error = $"unreachable ({e.HttpRequestError})";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {WebhookHttp.Timeout.TotalSeconds:0} s";
        }

        var attempt = WebhookRetry.After(delivery, time.GetUtcNow(), status, error, transient, retryAfter);
        instrumentation.Attempted(activity, delivery, attempt);
        return attempt;
    }
}
