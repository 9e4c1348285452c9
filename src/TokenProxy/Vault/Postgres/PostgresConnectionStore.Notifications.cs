using System.Security.Cryptography;
using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    /// <summary>The LISTEN/NOTIFY channel every write notifies; the payload is "{origin} {connection id}".</summary>
    internal const string Channel = "tokenproxy_connections";

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(5);

    // Names this store instance in the notifications it sends, so it can skip its own: it has already raised
    // Changed for those, synchronously, after the commit.
    private readonly string _origin = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly CancellationTokenSource _stopListening = new();
    private Task _listening = Task.CompletedTask;

    /// <summary>The tail of a write statement: one notification per written row, sent by PostgreSQL when the statement commits.</summary>
    private static string NotifySelect(string writtenRows) =>
        $"SELECT pg_notify('{Channel}', @origin || ' ' || id) FROM {writtenRows};";

    /// <summary>Starts the listener and returns once it listens, so no write after startup goes unnoticed.</summary>
    private async Task StartListeningAsync(CancellationToken cancellationToken)
    {
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listening = ListenAsync(listening, _stopListening.Token);
        await listening.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Holds one connection LISTENing on <see cref="Channel"/> and raises <see cref="Changed"/> for every other
    /// instance's write. Notifications sent while it is disconnected are lost, so when the connection drops it raises
    /// <see cref="ListeningChanged"/> with false (once, not on every reconnect attempt), and with true once it listens
    /// anew: a cache then re-reads the versions of what it holds, which makes it at most as stale as the outage was long.
    /// Losing the connection and each failed attempt also tell <see cref="StoreAvailability"/>, which logs the outage once.
    /// </summary>
    private async Task ListenAsync(TaskCompletionSource listening, CancellationToken stopping)
    {
        // Leave the caller's stack: the loop runs for the store's lifetime.
        await Task.Yield();
        var delay = FirstRetryDelay;
        var connected = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenSource.OpenConnectionAsync(stopping);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}; LISTEN {EventChannel}; LISTEN {ProvidersChannel};", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }

                connected = true;
                _availability.Restored(write: false);
                if (listening.TrySetResult())
                {
                    Log.Listening(_logger, Description, Channel);
                }
                else
                {
                    Log.ListenerReconnected(_logger, Description);
                    // A provider written meanwhile was not heard of: read them again.
                    ProvidersChanged?.Invoke();
                }

                ListeningChanged?.Invoke(true);
                delay = FirstRetryDelay;
                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!listening.Task.IsCompleted)
            {
                // Never listened: startup fails with the reason rather than serving with caches nobody invalidates. A login
                // refused on a listen connection string of its own is that setting's, not ConnectionString's.
                listening.TrySetException(e is PostgresException { SqlState: "28P01" or "28000" } && _listenConfigured
                    ? new VaultStartupException(
                        $"{Description} cannot be opened: the server refused the user name or password in TokenProxy:Store:ListenConnectionString.", e)
                    : e);
                return;
            }
            catch (Exception e)
            {
                // Whatever broke the connection (server restart, network, a terminated backend), try again: until we
                // listen, nothing tells this instance about writes elsewhere. Said once per loss, not per attempt.
                if (connected)
                {
                    connected = false;
                    Log.ListenerLost(_logger, Description, StoreAvailability.Describe(e));
                    ListeningChanged?.Invoke(false);
                }

                if (IsOutage(e))
                {
                    _availability.Lost(e, write: false);
                }
            }

            try
            {
                await Task.Delay(delay, _time, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = delay * 2 < LongestRetryDelay ? delay * 2 : LongestRetryDelay;
        }

        listening.TrySetCanceled(stopping);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel == EventChannel)
        {
            OnEventNotification(e.Payload);
            return;
        }

        if (e.Channel == ProvidersChannel)
        {
            OnProvidersNotification(e.Payload);
            return;
        }

        var space = e.Payload.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || e.Payload.AsSpan(0, space).SequenceEqual(_origin))
        {
            return;
        }

        Changed?.Invoke(e.Payload[(space + 1)..]);
    }

    private async Task StopListeningAsync()
    {
        await _stopListening.CancelAsync();
        await _listening;
        _stopListening.Dispose();
    }
}
