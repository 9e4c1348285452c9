using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>The keys of a JSON body the admin API reads into settings or fields.</summary>
internal static class JsonKeys
{
    /// <summary>
    /// Whether an object, at any depth, gives a key twice with its case aside (<c>label</c> and <c>LABEL</c>): the API
    /// reads names case aside, so both name one field, and which one the sender meant is not for the reader to guess. A
    /// body parsed with duplicate keys refused already has no exact repeats.
    /// </summary>
    public static bool Repeat(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => json.EnumerateObject().GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).Any(g => g.Skip(1).Any())
            || json.EnumerateObject().Any(p => Repeat(p.Value)),
        JsonValueKind.Array => json.EnumerateArray().Any(Repeat),
        _ => false,
    };

    /// <summary>The fields of <c>endUser</c>, wherever a body carries one.</summary>
    public static readonly IReadOnlySet<string> EndUserFields = new SortedSet<string>(["id", "displayName", "email"], StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every key of <paramref name="body"/> (an object), <c>endUser</c>'s included, that is not one of
    /// <paramref name="fields"/>, under its path (<c>refresh_token</c>, <c>endUser.display_name</c>), each with the field
    /// it could have meant: a body whose misspelt key would otherwise be dropped (a link's lifetime, its message) is refused.
    /// </summary>
    public static Dictionary<string, string[]> Unread(JsonElement body, IReadOnlySet<string> fields, string what)
    {
        var unread = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Collect(body, fields, string.Empty, what, unread);
        foreach (var endUser in body.EnumerateObject().Where(p => p.Name.Equals("endUser", StringComparison.OrdinalIgnoreCase) && fields.Contains(p.Name)))
        {
            if (endUser.Value.ValueKind == JsonValueKind.Object)
            {
                Collect(endUser.Value, EndUserFields, "endUser.", "endUser", unread);
            }
        }

        return unread;
    }

    private static void Collect(JsonElement json, IReadOnlySet<string> fields, string prefix, string what, Dictionary<string, string[]> unread)
    {
        foreach (var key in json.EnumerateObject().Select(p => p.Name).Where(n => !fields.Contains(n)))
        {
            unread[prefix + key] = [$"{prefix}{key}: not a field of {what}{Nearest(key, fields)}; the fields are {string.Join(", ", fields)}."];
        }
    }

    /// <summary>
    /// " (did you mean refreshToken?)" for a field written as a token answer writes it (<c>refresh_token</c>) or a typo or
    /// two away from one (<c>mesage</c>), else nothing.
    /// </summary>
    private static string Nearest(string key, IReadOnlySet<string> fields)
    {
        var bare = key.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        return fields.FirstOrDefault(f => f.Equals(bare, StringComparison.OrdinalIgnoreCase)) is { } field
            ? $" (did you mean {field}?)"
            : Spelling.DidYouMean(key, fields);
    }
}
