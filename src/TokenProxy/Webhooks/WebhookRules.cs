using System.Text.RegularExpressions;
using TokenProxy.Events;

namespace TokenProxy.Webhooks;

/// <summary>
/// What a webhook must be, from configuration or the admin API alike: a name, an address <see cref="WebhookAddress"/>
/// allows, a secret, known event types. Each problem names its field; a secret is never repeated.
/// </summary>
internal static partial class WebhookRules
{
    public const int MinimumSecretLength = 16;

    /// <summary>Every problem of a webhook, by field (<c>name</c>, <c>url</c>, <c>secret</c>, <c>events</c>, <c>workspace</c>).</summary>
    public static IEnumerable<(string Field, string Problem)> Problems(
        string name, string? url, string? secret, IReadOnlyList<string>? events, string? workspace, bool allowPrivateNetworks, bool secretRequired)
    {
        if (!Name().IsMatch(name) || name.Equals(nameof(WebhooksOptions.AllowPrivateNetworks), StringComparison.OrdinalIgnoreCase))
        {
            yield return ("name", "a webhook's name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        if (string.IsNullOrWhiteSpace(url))
        {
            yield return ("url", "required: the https address to post events to.");
        }
        else if (WebhookAddress.Problem(url, allowPrivateNetworks) is { } problem)
        {
            yield return ("url", problem);
        }

        if (secret is null ? secretRequired : secret.Length < MinimumSecretLength)
        {
            yield return ("secret", $"required: at least {MinimumSecretLength} characters, the key receivers verify TokenProxy-Signature with.");
        }

        if (events is null || events.Count == 0)
        {
            yield return ("events", $"required: one or more of {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}.");
        }
        else if (events.Where(e => !EventTypes.All.Contains(e)).ToList() is { Count: > 0 } unknown)
        {
            yield return ("events", $"unknown event type(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the types are {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}.");
        }
        else if (workspace is not null && events.Where(EventTypes.WithoutWorkspace.Contains).ToList() is { Count: > 0 } unscoped)
        {
            // Asked for, they would never come: a provider's outage would go unnoticed by the one who set this up to hear it.
            yield return ("events", $"{string.Join(", ", unscoped)} belong to no workspace, so a webhook for workspace '{workspace}' would never receive them; " +
                "ask for them with a webhook that has no Workspace.");
        }

        if (workspace is not null && !Name().IsMatch(workspace))
        {
            yield return ("workspace", "a workspace id is 1 to 64 letters, digits, '.', '_' or '-'.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Name();
}
