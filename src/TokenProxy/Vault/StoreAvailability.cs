namespace TokenProxy.Vault;

/// <summary>
/// Whether a store is in an outage, so that the outage is logged once when it starts and once when it ends (with its
/// duration), however many requests fail in between, and so readiness can report it. A store runs every operation
/// through <see cref="RunAsync{T}"/> with the test for its own outage-kind failures; those become
/// <see cref="StoreUnavailableException"/> carrying the reason, without a stack trace in the log.
/// </summary>
/// <param name="store">The store's description, for the log.</param>
/// <param name="time">Times the outage.</param>
/// <param name="logger">The two lines per outage.</param>
/// <param name="outageStarted">Called once when an outage starts (a shared store drops its pooled connections).</param>
internal sealed class StoreAvailability(string store, TimeProvider time, ILogger logger, Action? outageStarted = null)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _downSince;
    private bool _downOnWrite;
    private string? _reason;
    private int _probing;
    private DateTimeOffset? _availableAgainAt;
    private TaskCompletionSource? _outageEnds;

    /// <summary>When the last outage ended; null if none has.</summary>
    public DateTimeOffset? AvailableAgainAt
    {
        get
        {
            lock (_gate)
            {
                return _availableAgainAt;
            }
        }
    }

    /// <summary>Completes when the outage under way ends; completed already when there is none.</summary>
    public Task WhenAvailable
    {
        get
        {
            lock (_gate)
            {
                return _outageEnds?.Task ?? Task.CompletedTask;
            }
        }
    }

    public bool IsAvailable
    {
        get
        {
            lock (_gate)
            {
                return _downSince is null;
            }
        }
    }

    /// <summary>True while the outage began with a failed write: a read that succeeds does not end it (a read-only file still reads).</summary>
    public bool IsDownOnWrite
    {
        get
        {
            lock (_gate)
            {
                return _downSince is not null && _downOnWrite;
            }
        }
    }

    /// <summary>
    /// Runs a store operation. A failure <paramref name="isOutage"/> recognizes starts an outage (or continues it) and is
    /// rethrown as <see cref="StoreUnavailableException"/>; a success ends an outage, unless it was a read and the
    /// outage began with a write. During an outage that began with a write, a write's success ends it only once
    /// <paramref name="writeProbe"/>, if given, succeeds too: a write that changed nothing never reached the disk (an
    /// empty claim succeeds on a full one), and must not make the store look writable again.
    /// </summary>
    /// <remarks>
    /// While reads fail too (the database cannot be reached, not a disk that refuses writes), one operation at a time
    /// finds out whether the outage is over and the others fail at once: a server that hangs rather than refuses would
    /// otherwise hold every request for the driver's timeouts. An operation that runs others inside it
    /// (<paramref name="enclosing"/>: a lock held while a refresh runs) takes no part in that, or it would turn its own
    /// away.
    /// </remarks>
    public async Task<T> RunAsync<T>(Func<Task<T>> operation, Func<Exception, bool> isOutage, bool write, Func<Task>? writeProbe = null, bool enclosing = false)
    {
        var probe = false;
        lock (_gate)
        {
            if (!enclosing && _downSince is not null && !_downOnWrite)
            {
                if (_probing != 0)
                {
                    throw new StoreUnavailableException($"{store} is unavailable: {_reason}");
                }

                _probing = 1;
                probe = true;
            }
        }

        T result;
        try
        {
            result = await operation();
        }
        catch (Exception e) when (isOutage(e))
        {
            throw Lost(e, write);
        }
        finally
        {
            if (probe)
            {
                Volatile.Write(ref _probing, 0);
            }
        }

        if (write && writeProbe is not null && IsDownOnWrite)
        {
            try
            {
                await writeProbe();
            }
            catch (Exception e) when (isOutage(e))
            {
                // The operation's own result stands; the outage goes on.
                Lost(e, write);
                return result;
            }
        }

        Restored(write);
        return result;
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public Task RunAsync(Func<Task> operation, Func<Exception, bool> isOutage, bool write, Func<Task>? writeProbe = null) =>
        RunAsync(async () =>
        {
            await operation();
            return true;
        }, isOutage, write, writeProbe);

    /// <summary>Records a failure of the outage kind (logged only if it starts the outage) and returns the exception to throw.</summary>
    public StoreUnavailableException Lost(Exception cause, bool write)
    {
        var reason = Describe(cause);
        var started = false;
        lock (_gate)
        {
            _reason = reason;
            if (_downSince is null)
            {
                _downSince = time.GetUtcNow();
                _downOnWrite = write;
                _outageEnds = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                started = true;
                Log.StoreUnavailable(logger, store, reason);
            }
            else
            {
                // A read failing too means more than a write problem: any success ends it now.
                _downOnWrite &= write;
            }
        }

        if (started)
        {
            outageStarted?.Invoke();
        }

        return new StoreUnavailableException($"{store} is unavailable: {reason}", cause);
    }

    /// <summary>Records a success; ends the outage, if any, unless <paramref name="write"/> is false and the outage began with a write.</summary>
    public void Restored(bool write)
    {
        lock (_gate)
        {
            if (_downSince is not { } since || (_downOnWrite && !write))
            {
                return;
            }

            _downSince = null;
            _availableAgainAt = time.GetUtcNow();
            var seconds = (_availableAgainAt.Value - since).TotalSeconds;
            Log.StoreAvailable(logger, store, seconds);
            _outageEnds?.TrySetResult();
            _outageEnds = null;
        }
    }

    /// <summary>The message and the innermost cause ("Failed to connect to 127.0.0.1:5432 (Connection refused)"): enough to act on, no stack.</summary>
    public static string Describe(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return ReferenceEquals(innermost, e) || e.Message.Contains(innermost.Message, StringComparison.Ordinal)
            ? e.Message
            : $"{e.Message} ({innermost.Message})";
    }
}
