namespace TokenProxy.Providers;

/// <summary>
/// What to do about a provider's error, as the operator wrote it (<c>ErrorHints</c>). A key matches an error's description
/// when it occurs in it, ignoring case, or its code when equal to it. A description phrase wins over a code, since one
/// code (<c>invalid_grant</c>) covers several causes that only the description tells apart; among phrases the longest
/// wins, and among equally long ones the first in ordinal order, so the answer never depends on configuration order.
/// </summary>
internal sealed class ErrorHints(IReadOnlyDictionary<string, string> hints)
{
    public static readonly ErrorHints None = new(new Dictionary<string, string>());

    public IReadOnlyDictionary<string, string> Hints { get; } = hints;

    /// <summary>The hint for an error with this code and description, or null.</summary>
    public string? For(string code, string? description)
    {
        if (Hints.Count == 0)
        {
            return null;
        }

        if (description is not null)
        {
            var phrase = Hints.Keys
                .Where(k => description.Contains(k, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal)
                .FirstOrDefault();
            if (phrase is not null)
            {
                return Hints[phrase];
            }
        }

        return Hints.GetValueOrDefault(code);
    }
}
