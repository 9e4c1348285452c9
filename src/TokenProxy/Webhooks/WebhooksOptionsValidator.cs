using Microsoft.Extensions.Options;

namespace TokenProxy.Webhooks;

/// <summary>Names every problem of every configured webhook at startup (<see cref="WebhookRules"/>).</summary>
internal sealed class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhooksOptions options)
    {
        var errors = new List<string>();
        foreach (var (hook, webhook) in options.Hooks.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            foreach (var (field, problem) in WebhookRules.Problems(
                hook, webhook.Url, webhook.Secret, webhook.Events, webhook.Workspace, options.AllowPrivateNetworks, secretRequired: true))
            {
                var key = field == "name" ? string.Empty : ":" + char.ToUpperInvariant(field[0]) + field[1..];
                errors.Add($"{WebhooksOptions.SectionName}:{hook}{key}: {problem}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
