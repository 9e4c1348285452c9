using System.Text.Json;

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
}
