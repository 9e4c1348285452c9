using System.Globalization;
using System.Text;
using TokenProxy.Events;
using TokenProxy.Proxy;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>GET /admin/api/events?workspace=&amp;connection=&amp;type=&amp;since=&amp;cursor=&amp;limit=</c>: the durable event log, newest
/// first, a page at a time (docs/architecture.md, §10). <c>next</c> is an opaque cursor for the following (older) page,
/// null on the last one. Every parameter is checked: a bad one is a 400 problem naming it, never an empty page.
/// </summary>
internal static class EventsApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/events", ListAsync);
        return api;
    }

    private static async Task<IResult> ListAsync(
        string? workspace, string? connection, string? type, string? since, string? cursor, string? limit, IEventStore events, CancellationToken cancellationToken)
    {
        var (query, invalid) = Parse(workspace, connection, type, since, cursor, limit);
        if (query is null)
        {
            return invalid!;
        }

        var items = await events.QueryAsync(query, cancellationToken);
        var next = items.Count == query.Limit ? Cursor(items[^1].Sequence) : null;
        return TypedResults.Ok(new EventsPage(items, next));
    }

    /// <summary>The query the parameters ask for, or the problem naming every bad one.</summary>
    internal static (EventQuery? Query, ProblemResult? Problem) Parse(
        string? workspace, string? connection, string? type, string? since, string? cursor, string? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(workspace) && !ScopeNames.IsWorkspace(workspace))
        {
            errors["workspace"] = [ScopeNames.WorkspaceRule];
        }

        if (!string.IsNullOrEmpty(type) && !EventTypes.All.Contains(type))
        {
            errors["type"] = [$"type must be one of: {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}."];
        }

        DateTimeOffset? from = null;
        if (!string.IsNullOrEmpty(since))
        {
            if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                from = parsed.ToUniversalTime();
            }
            else
            {
                errors["since"] = ["since must be a date and time, ISO 8601 (2026-01-31T12:00:00Z)."];
            }
        }

        long? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (ReadCursor(cursor) is { } sequence)
            {
                before = sequence;
            }
            else
            {
                errors["cursor"] = ["cursor must be the next value of a previous page, as it was given."];
            }
        }

        var size = DefaultLimit;
        if (!string.IsNullOrEmpty(limit) && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            errors["limit"] = [$"limit must be a whole number from 1 to {MaxLimit}."];
        }

        return errors.Count > 0
            ? (null, AdminProblems.Invalid(errors))
            : (new EventQuery(
                string.IsNullOrEmpty(workspace) ? null : workspace,
                string.IsNullOrEmpty(connection) ? null : connection,
                string.IsNullOrEmpty(type) ? null : type,
                from,
                before,
                size), null);
    }

    /// <summary>The cursor of the page after the event numbered <paramref name="sequence"/>: opaque, so its form may change.</summary>
    private static string Cursor(long sequence) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"before:{sequence}"))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static long? ReadCursor(string cursor)
    {
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(padded));
            return text.StartsWith("before:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0
                ? sequence
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
