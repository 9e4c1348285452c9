using System.Buffers;
using System.IO.Pipelines;
using TokenProxy.Proxy;

namespace TokenProxy.Benchmarks.Infrastructure;

/// <summary>
/// The upstream behind HttpClient's real handler: the forwarder's <see cref="SocketsHttpHandler"/> (connection pool,
/// HTTP/1.1 writer and parser, its diagnostics and metrics stages, trace-context injection) with a connection to an
/// in-memory peer instead of a socket. The peer answers each request head with the load comparison's JSON body,
/// asynchronously (its reads complete on the thread pool, as a socket's do). What HttpClient does per request is counted,
/// the kernel's network stack is not, so differences measured this way hold still on a busy machine.
/// </summary>
internal static class ConnectionUpstream
{
    private static readonly byte[] Response =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 55\r\n\r\n{\"id\":42,\"name\":\"bench\",\"ok\":true,\"tags\":[\"a\",\"b\",\"c\"]}"u8.ToArray();

    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary><paramref name="handler"/> (one of <see cref="ForwarderHandler"/>'s), connecting to an in-memory peer.</summary>
    public static SocketsHttpHandler Over(SocketsHttpHandler handler)
    {
        handler.ConnectCallback = (_, _) => ValueTask.FromResult<Stream>(Open());
        return handler;
    }

    private static Connection Open()
    {
        var toPeer = new Pipe();
        var fromPeer = new Pipe();
        _ = Task.Run(() => AnswerAsync(toPeer.Reader, fromPeer.Writer));
        return new Connection(fromPeer.Reader.AsStream(), toPeer.Writer.AsStream());
    }

    /// <summary>Answers every complete request head (the load comparison sends GETs without a body).</summary>
    private static async Task AnswerAsync(PipeReader requests, PipeWriter responses)
    {
        while (true)
        {
            var read = await requests.ReadAsync();
            var (heads, consumed) = CountHeads(read.Buffer);
            for (var i = 0; i < heads; i++)
            {
                await responses.WriteAsync(Response);
            }

            requests.AdvanceTo(consumed, read.Buffer.End);
            if (read.IsCompleted)
            {
                await responses.CompleteAsync();
                return;
            }
        }
    }

    private static (int Heads, SequencePosition Consumed) CountHeads(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var heads = 0;
        while (reader.TryReadTo(out ReadOnlySequence<byte> _, EndOfHead, advancePastDelimiter: true))
        {
            heads++;
        }

        return (heads, reader.Position);
    }

    /// <summary>One stream over the two pipes: reads the peer's answers, writes to the peer.</summary>
    private sealed class Connection(Stream incoming, Stream outgoing) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => incoming.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            incoming.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            incoming.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => outgoing.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            outgoing.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            outgoing.WriteAsync(buffer, offset, count, cancellationToken);

        public override void Flush() => outgoing.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => outgoing.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                incoming.Dispose();
                outgoing.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
