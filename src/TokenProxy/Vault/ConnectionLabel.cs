using System.Text.RegularExpressions;

namespace TokenProxy.Vault;

/// <summary>
/// What a connection's label (and a workspace name) may be: it is chosen by people and apps, sent in the
/// <c>TokenProxy-Connection</c> header and shown on pages, so it is kept short and plain.
/// </summary>
internal static partial class ConnectionLabel
{
    /// <summary>The rule, as said to whoever chose a label that breaks it.</summary>
    public const string Rule = "A label is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.";

    public static bool IsValid(string value) => Pattern().IsMatch(value);

    // \z, not $: in .NET, $ also matches before a final "\n", which would let "default\n" in beside "default".
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Pattern();
}
