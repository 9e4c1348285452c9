using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Webhooks;

/// <summary>
/// The webhooks, wherever they were defined (docs/architecture.md §12): those of <c>TokenProxy:Webhooks</c> are written
/// to the store at every start (so their cursor and deliveries live there, shared by every instance), those of the admin
/// API when it saves them. Secrets are sealed with the vault key like tokens, and opened only to sign.
/// </summary>
internal sealed class WebhookCatalog(IWebhookStore store, IConnectionStore connections, SecretSealer sealer, IOptions<WebhooksOptions> options, TimeProvider time)
{
    public bool AllowPrivateNetworks => options.Value.AllowPrivateNetworks;

    /// <summary>Whether the webhook is defined in configuration (and so not changed through the admin API).</summary>
    public bool IsConfigured(string name) => options.Value.Hooks.ContainsKey(name);

    /// <summary>Writes the configured webhooks that changed, and deletes those no longer configured; their names.</summary>
    public async Task<IReadOnlyList<string>> SyncConfiguredAsync(CancellationToken cancellationToken)
    {
        var stored = (await store.ListWebhooksAsync(cancellationToken)).ToDictionary(w => w.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, hook) in options.Value.Hooks)
        {
            stored.TryGetValue(name, out var existing);
            if (existing is { Origin: WebhookRow.FromConfiguration } && existing.Url == hook.Url && existing.Workspace == hook.Workspace
                && existing.Events.SequenceEqual(hook.Events!) && TryOpenSecret(existing, out var secret) && secret == hook.Secret)
            {
                continue;
            }

            await SaveAsync(existing?.Name ?? name, hook.Url!, hook.Secret, hook.Events!, hook.Workspace, WebhookRow.FromConfiguration, cancellationToken);
        }

        foreach (var gone in stored.Values.Where(w => w.Origin == WebhookRow.FromConfiguration && !IsConfigured(w.Name)))
        {
            await store.DeleteWebhookAsync(gone.Name, cancellationToken);
        }

        return [.. options.Value.Hooks.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The configured webhooks that name a workspace the store does not hold (yet): told at start, since until someone
    /// creates that workspace they are sent nothing.
    /// </summary>
    public async Task<IReadOnlyList<(string Webhook, string Workspace)>> WithoutWorkspaceAsync(CancellationToken cancellationToken)
    {
        var missing = new List<(string, string)>();
        foreach (var (name, hook) in options.Value.Hooks.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            if (hook.Workspace is { } workspace && await connections.GetWorkspaceAsync(workspace, cancellationToken) is null)
            {
                missing.Add((name, workspace));
            }
        }

        return missing;
    }

    /// <summary>
    /// Saves a webhook; a null <paramref name="secret"/> keeps the stored one (an update that does not repeat it). True when
    /// it was created; null when there is no secret to keep.
    /// </summary>
    public async Task<bool?> SaveAsync(
        string name, string url, string? secret, IReadOnlyList<string> events, string? workspace, string origin, CancellationToken cancellationToken)
    {
        var existing = await store.GetWebhookAsync(name, cancellationToken);
        var now = time.GetUtcNow();
        var @sealed = secret is not null ? sealer.Seal(WebhookRow.SealingId(name), SecretSealer.WebhookSecretField, secret) : existing?.SealedSecret;
        if (@sealed is null)
        {
            return null;
        }

        return await store.SaveWebhookAsync(
            new WebhookRow(name, url, @sealed, [.. events.Distinct(StringComparer.Ordinal)], workspace, origin, 0, existing?.CreatedAt ?? now, now), cancellationToken);
    }

    public bool TryOpenSecret(WebhookRow webhook, [NotNullWhen(true)] out string? secret) =>
        sealer.TryOpen(WebhookRow.SealingId(webhook.Name), SecretSealer.WebhookSecretField, webhook.SealedSecret, out secret);
}
