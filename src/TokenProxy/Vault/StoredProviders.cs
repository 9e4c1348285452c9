using System.Text.Json;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>What a write of a stored provider did: every problem (nothing stored), or whether it was created.</summary>
internal sealed record StoredProviderWrite(IReadOnlyList<string> Problems, bool Created);

/// <summary>
/// Providers written through the admin API: sealed into the store, and served by <see cref="ProviderCatalog"/> over the
/// configuration files' entries of the same name (docs/architecture.md §13). Read at startup, after each write here, and
/// whenever the store says another instance wrote one. A client secret is sealed under the vault key with associated data
/// naming the provider and the field, so it opens for no other provider and no connection.
/// </summary>
internal sealed class StoredProviders(
    IProviderStore store, SecretSealer sealer, ProviderCatalog catalog, TimeProvider time, ILogger<StoredProviders> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _loading = new(1, 1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        store.ProvidersChanged += OnProvidersChanged;
        await LoadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        store.ProvidersChanged -= OnProvidersChanged;
        return Task.CompletedTask;
    }

    public void Dispose() => _loading.Dispose();

    /// <summary>Reads every stored provider and hands them to the catalog; a set that does not validate is logged and not applied.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            var entries = new Dictionary<string, ProviderOptions>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in await store.ListProvidersAsync(cancellationToken))
            {
                entries[row.Name] = ProviderJson.WithSecrets(row.Definition, Open(row));
            }

            foreach (var problem in catalog.TryReplaceStored(entries))
            {
                Log.StoredProvidersRefused(logger, problem);
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <summary>
    /// Stores <paramref name="entry"/> under <paramref name="name"/> when the providers validate with it, and serves it at
    /// once. With <paramref name="keepSecret"/> (the entry names no secret) the stored secrets are kept.
    /// </summary>
    public async Task<StoredProviderWrite> PutAsync(string name, ProviderOptions entry, bool keepSecret, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = (await store.ListProvidersAsync(cancellationToken)).FirstOrDefault(r => r.Name == name);
            if (keepSecret && existing is not null)
            {
                entry = ProviderJson.WithSecrets(ProviderJson.WithoutSecrets(entry), Open(existing));
            }

            if (catalog.Check(name, entry) is { Count: > 0 } problems)
            {
                return new StoredProviderWrite(problems, Created: false);
            }

            var secrets = ProviderJson.SecretsOf(entry);
            var row = new StoredProviderRow(
                name,
                ProviderJson.WithoutSecrets(entry),
                secrets.Count == 0 ? null : sealer.Seal(SecretSealer.ProviderRecord(name), SecretSealer.ClientSecretsField, JsonSerializer.Serialize(secrets)),
                existing?.Version ?? 0,
                time.GetUtcNow());
            // Compare-and-swap: another write between the read and this one is read again, never overwritten unseen.
            if (existing is null ? await store.TryInsertProviderAsync(row, cancellationToken) : await store.TryUpdateProviderAsync(row, cancellationToken))
            {
                Log.StoredProviderWritten(logger, name, existing is null ? "created" : "changed");
                await LoadAsync(cancellationToken);
                return new StoredProviderWrite([], Created: existing is null);
            }
        }
    }

    /// <summary>Deletes the stored entry (the files' entry of that name, if any, applies again); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (!await store.DeleteProviderAsync(name, cancellationToken))
        {
            return false;
        }

        Log.StoredProviderWritten(logger, name, "deleted");
        await LoadAsync(cancellationToken);
        return true;
    }

    /// <summary>Re-seals every stored secret not under the active key, for a key rotation; how many were.</summary>
    public async Task<int> ResealAsync(string activeKeyId, CancellationToken cancellationToken)
    {
        var resealed = 0;
        foreach (var listed in await store.ListProvidersAsync(cancellationToken))
        {
            var row = listed;
            while (row?.ClientSecrets is { } sealedSecrets && SecretSealer.KeyIdOf(sealedSecrets) != activeKeyId
                && sealer.TryOpen(SecretSealer.ProviderRecord(row.Name), SecretSealer.ClientSecretsField, sealedSecrets, out var plain))
            {
                if (await store.TryUpdateProviderAsync(row with { ClientSecrets = sealer.Seal(SecretSealer.ProviderRecord(row.Name), SecretSealer.ClientSecretsField, plain) }, cancellationToken))
                {
                    resealed++;
                    break;
                }

                row = (await store.ListProvidersAsync(cancellationToken)).FirstOrDefault(r => r.Name == listed.Name);
            }
        }

        return resealed;
    }

    private string[] Open(StoredProviderRow row)
    {
        if (row.ClientSecrets is null)
        {
            return [];
        }

        if (sealer.TryOpen(SecretSealer.ProviderRecord(row.Name), SecretSealer.ClientSecretsField, row.ClientSecrets, out var plain)
            && JsonSerializer.Deserialize<string[]>(plain) is { } secrets)
        {
            return secrets;
        }

        Log.StoredProviderSecretUnreadable(logger, row.Name);
        return [];
    }

    private void OnProvidersChanged() => _ = ReloadAsync();

    private async Task ReloadAsync()
    {
        try
        {
            await LoadAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            // A store outage: the next notification, or the listener's reconnect, reads them again.
            Log.StoredProvidersUnread(logger, store is IConnectionStore s ? s.Description : "the store", e);
        }
    }
}
