namespace TokenProxy.Benchmarks.Infrastructure;

/// <summary>
/// The upstream of the in-process whole-request measurements: reads what SocketsHttpHandler reads of the request,
/// answers after yielding (as a socket read completes later, so every state machine that waits is counted) with a
/// small JSON body, the same as the load comparison's nginx.
/// </summary>
internal sealed class InProcessUpstream : HttpMessageHandler
{
    private static readonly byte[] Body = """{"id":42,"name":"bench","ok":true,"tags":["a","b","c"]}"""u8.ToArray();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Yield();
        ReadAsTheHandlerDoes(request);
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(Body), RequestMessage = request };
    }

    /// <summary>
    /// SocketsHttpHandler reads these on every send, which builds the Uri's lazily parsed parts; doing it on both
    /// sides counts those bytes on both, so a difference is only what TokenProxy adds.
    /// </summary>
    public static HttpRequestMessage ReadAsTheHandlerDoes(HttpRequestMessage message)
    {
        _ = message.RequestUri!.IdnHost;
        _ = message.RequestUri.PathAndQuery;
        return message;
    }
}
