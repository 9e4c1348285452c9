using System.Text.RegularExpressions;

namespace TokenProxy.Vault;

/// <summary>
/// What a workspace id and an end user id may be. Both are chosen by people and apps, sent in request headers and shown
/// on pages and in URLs, so they are kept short and plain; a workspace id follows the label rule (it always has, on
/// imports and client keys), an end user id also takes the characters of emails and of identity-provider subjects.
/// </summary>
internal static partial class ScopeNames
{
    /// <summary>The rule for a workspace id, as said to whoever chose one that breaks it.</summary>
    public const string WorkspaceRule = "A workspace id is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.";

    /// <summary>The rule for an end user id.</summary>
    public const string EndUserRule = "An end user id is 1-128 letters, digits, '.', '_', '-', '@', '+', ':' or '|', starting with a letter or digit.";

    /// <summary>The longest display name or email kept for an end user or a workspace.</summary>
    public const int MaxTextLength = 200;

    public static bool IsWorkspace(string? value) => value is not null && ConnectionLabel.IsValid(value);

    public static bool IsEndUser(string? value) => value is not null && EndUserPattern().IsMatch(value);

    /// <summary>
    /// A display name or email: something visible, at most <see cref="MaxTextLength"/> characters, none that
    /// <see cref="Providers.ShownText.IsUnsafe"/> names: the admin pages, the portal and the link page show it.
    /// </summary>
    public static bool IsText(string? value) =>
        value is not null && !Providers.ShownText.IsBlank(value) && value.Length <= MaxTextLength && Providers.ShownText.IsPlain(value);

    /// <summary>What <see cref="IsText"/> requires, for a refusal's message.</summary>
    public static readonly string TextRule =
        $"1-{MaxTextLength} characters, not all blank, without control characters (no line breaks, no bidirectional overrides, no invisible characters)";

    // \z, not $: in .NET, $ also matches before a final "\n".
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._@+:|-]{0,127}\z")]
    private static partial Regex EndUserPattern();
}
