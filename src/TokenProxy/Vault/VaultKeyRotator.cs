using Microsoft.Extensions.Options;

namespace TokenProxy.Vault;

/// <summary>
/// What a key rotation did. <see cref="Created"/>: the active key is new, and retired keys were removed from the key file
/// or keychain; otherwise the active key is the one the operator put first, and the retired keys are theirs to drop.
/// <see cref="UnusedKeyIds"/>: keys after the active one that sealed nothing before this rotation either (with keys the
/// operator keeps, a new key put second rather than first: the rotation the operator meant has not begun).
/// </summary>
internal sealed record RotationResult(string ActiveKeyId, int Resealed, IReadOnlyList<string> RetiredKeyIds, bool Created = false, IReadOnlyList<string>? UnusedKeyIds = null);

/// <summary>
/// Online key rotation. A new key is added to the key list first (the key file written atomically, 0600, or the
/// keychain entry written and read back), so from that moment every row is readable whatever happens next; then every
/// sealed field under an older key is re-sealed with compare-and-swap while the proxy keeps serving; only when no row
/// names an old key is it removed from the list. A crash at any point leaves every row readable, and the next rotation (or
/// start) finishes the job. Keys from <c>TOKENPROXY_VAULT_KEY</c>, and every key of a shared (PostgreSQL) store, are the
/// operator's to change: once the operator has put a new key first there, a rotation re-seals every row under it and
/// names the old keys no row needs any more.
/// </summary>
internal sealed class VaultKeyRotator(
    IConnectionStore store, VaultKeyRing ring, SecretSealer sealer, IOptions<StoreOptions> options, ILogger<VaultKeyRotator> logger, Events.IEventStore events,
    IWebhookStore webhooks, StoredProviders providers, IProviderStore providerStore) : IDisposable
{
    // A shared store's instances must all hold a key before any row is sealed with it, which one instance cannot
    // arrange: there the key list is the operator's, like TOKENPROXY_VAULT_KEY, and extra keys are never retired.
    private readonly bool _shared = options.Value.IsPostgres;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>Adds a new active key, re-seals every row under it and retires the old keys.</summary>
    public async Task<RotationResult> RotateAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            if (StorageOrThrow() is not { } storage)
            {
                await RefuseUnlessEveryInstanceHoldsAsync(ring.Active.Id, cancellationToken);
                // The keys live in the variable, the new one first: nothing to write, every row re-sealed under it; the
                // answer names the keys no row needs any more, to be dropped from the variable.
                return await RotatedAsync(await ResealAndRetireAsync(null, cancellationToken), cancellationToken);
            }

            var keys = new List<VaultKey> { VaultKey.Generate() };
            keys.AddRange(ring.Keys);
            await storage.SaveAsync(keys, cancellationToken);
            ring.Load(keys, ring.Source, storage);
            return await RotatedAsync(await ResealAndRetireAsync(storage, cancellationToken) with { Created = true }, cancellationToken);
        }
        catch (Keychains.KeychainUnavailableException e)
        {
            // Whichever step failed, the key list there still holds every key a row is sealed with.
            throw new InvalidOperationException($"{e.Message} Every connection stays readable; rotate again once the keychain can be used.", e);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Finishes an interrupted rotation: re-seals rows still under old keys, then retires those keys.</summary>
    public async Task<RotationResult> ResumeAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return ring.Keys.Count > 1 && ring.Storage is { } storage && !_shared
                ? await ResealAndRetireAsync(storage, cancellationToken)
                : new RotationResult(ring.Active.Id, 0, []);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<RotationResult> ResealAndRetireAsync(IVaultKeyStorage? storage, CancellationToken cancellationToken)
    {
        var active = ring.Active;
        var resealed = 0;
        var usedBefore = await KeyIdsInUseAsync(cancellationToken);
        foreach (var listed in await store.ListAsync(cancellationToken))
        {
            // Compare-and-swap with a re-read: a refresh may rewrite the row (under the new key) meanwhile.
            for (var row = listed; row is not null && NeedsReseal(row, active.Id);)
            {
                var updated = row with
                {
                    AccessToken = Reseal(row.Id, SecretSealer.AccessFieldOf(row.CredentialKind), row.AccessToken),
                    RefreshToken = Reseal(row.Id, SecretSealer.RefreshTokenField, row.RefreshToken),
                };
                if (await store.TryUpdateAsync(updated, cancellationToken) is not null)
                {
                    resealed++;
                    break;
                }

                row = await store.GetAsync(row.Id, cancellationToken);
            }
        }

        // Webhook secrets are sealed like tokens (docs/architecture.md §12): re-sealed with compare-and-swap too.
        foreach (var listed in await webhooks.ListWebhooksAsync(cancellationToken))
        {
            for (var webhook = listed; webhook is not null && SecretSealer.KeyIdOf(webhook.SealedSecret) != active.Id;)
            {
                var id = WebhookRow.SealingId(webhook.Name);
                if (Reseal(id, SecretSealer.WebhookSecretField, webhook.SealedSecret) is not { } resealedSecret || resealedSecret == webhook.SealedSecret)
                {
                    break;
                }

                if (await webhooks.TryResealWebhookAsync(webhook.Name, webhook.SealedSecret, resealedSecret, cancellationToken))
                {
                    resealed++;
                    break;
                }

                webhook = await webhooks.GetWebhookAsync(webhook.Name, cancellationToken);
            }
        }

        // Stored providers' client secrets are sealed with the same keys (docs/architecture.md §13).
        resealed += await providers.ResealAsync(active.Id, cancellationToken);
        var stillUsed = await KeyIdsInUseAsync(cancellationToken);
        var retired = ring.Keys.Skip(1).Where(k => !stillUsed.Contains(k.Id)).ToList();
        if (storage is null)
        {
            // The operator's keys: only a key this rotation freed is named to drop. One that sealed nothing before either
            // is most likely the new key put second instead of first, and dropping it would undo the rotation meant.
            var unused = retired.Where(k => !usedBefore.Contains(k.Id)).Select(k => k.Id).ToList();
            return new RotationResult(active.Id, resealed, [.. retired.Where(k => usedBefore.Contains(k.Id)).Select(k => k.Id)], UnusedKeyIds: unused);
        }

        if (retired.Count > 0)
        {
            var kept = ring.Keys.Except(retired).ToArray();
            try
            {
                await storage.SaveAsync(kept, cancellationToken);
            }
            catch (Keychains.KeychainUnavailableException e)
            {
                // Every row is sealed under the active key already; the old keys only linger in the list until next time.
                Log.KeysNotRetired(logger, string.Join(", ", retired.Select(k => k.Id)), e.Message);
                return new RotationResult(active.Id, resealed, []);
            }

            ring.Load(kept, ring.Source, storage);
        }

        return new RotationResult(active.Id, resealed, [.. retired.Select(k => k.Id)]);
    }

    /// <summary>
    /// On a shared store, refuses (changing nothing) while an instance that ran within <see cref="VaultKeyHolding.Lifetime"/>
    /// does not hold <paramref name="active"/>: every row re-sealed under it would stop working there at once.
    /// </summary>
    private async Task RefuseUnlessEveryInstanceHoldsAsync(string active, CancellationToken cancellationToken)
    {
        if (!_shared || store is not IKeyHolders holders)
        {
            return;
        }

        var running = await holders.KeyHoldersAsync(VaultKeyHolding.Lifetime, cancellationToken);
        var lacking = running.Where(h => !h.KeyIds.Contains(active)).ToList();
        if (lacking.Count > 0)
        {
            throw new InvalidOperationException(
                $"{lacking.Count} TokenProxy instance(s) on {store.Description} do not hold vault key id {active} (they hold key id " +
                $"{string.Join(", ", lacking.SelectMany(h => h.KeyIds).Distinct(StringComparer.Ordinal))}; {Seen(lacking)}): a connection re-sealed under it " +
                $"would stop working there. Add the key to their key list and restart them, then call this again. {Lapse} Nothing was re-sealed.");
        }

        // Another first key there would go on sealing new tokens under the old one, which this rotation would call unused.
        var otherFirst = running.Where(h => h.KeyIds.Count > 0 && h.KeyIds[0] != active).ToList();
        if (otherFirst.Count > 0)
        {
            throw new InvalidOperationException(
                $"{otherFirst.Count} TokenProxy instance(s) on {store.Description} seal with key id " +
                $"{string.Join(", ", otherFirst.Select(h => h.KeyIds[0]).Distinct(StringComparer.Ordinal))} first, not {active} ({Seen(otherFirst)}): put the same key " +
                $"first on every instance and restart them, then call this again. {Lapse} Nothing was re-sealed.");
        }

        // A TokenProxy from before these records keeps none: connected, it is not among the recent holders.
        var connected = await holders.ConnectedInstancesAsync(cancellationToken);
        var recent = running.Count(h => h.Age < 3 * VaultKeyHolding.Renewal);
        if (connected > recent)
        {
            throw new InvalidOperationException(
                $"{connected} TokenProxy process(es) are connected to {store.Description}, and only {recent} recorded the keys they hold: the others run a " +
                "TokenProxy from before those records (or are reconnecting after an outage), and a connection re-sealed under a key they lack would stop " +
                "working there. Upgrade every instance, then call this again. Nothing was re-sealed.");
        }
    }

    /// <summary>Which instances, and when each was last seen: one killed without a stop lingers until its record lapses.</summary>
    private static string Seen(IEnumerable<KeyHolder> holders) =>
        string.Join("; ", holders.Select(h => $"{h.Instance}, last seen {h.Age.TotalSeconds:0} s ago"));

    private static readonly string Lapse =
        $"An instance that stopped without shutting down counts for {VaultKeyHolding.Lifetime.TotalMinutes:0} minutes after it was last seen.";

    private Task<HashSet<string?>> KeyIdsInUseAsync(CancellationToken cancellationToken) => KeyIdsInUseAsync(store, webhooks, providerStore, cancellationToken);

    /// <summary>The key ids that seal anything: a connection's token, a webhook's secret, a stored provider's client secret.</summary>
    public static async Task<HashSet<string?>> KeyIdsInUseAsync(
        IConnectionStore store, IWebhookStore webhooks, IProviderStore providers, CancellationToken cancellationToken) =>
        (await store.ListAsync(cancellationToken))
            .SelectMany(r => new[] { r.AccessToken, r.RefreshToken }).OfType<string>()
            .Concat((await webhooks.ListWebhooksAsync(cancellationToken)).Select(w => w.SealedSecret))
            .Concat((await providers.ListProvidersAsync(cancellationToken)).Select(p => p.ClientSecrets).OfType<string>())
            .Select(SecretSealer.KeyIdOf).ToHashSet(StringComparer.Ordinal);

    /// <summary>Tells the rotation in the event log: key ids only (they name keys, they are not keys).</summary>
    private async Task<RotationResult> RotatedAsync(RotationResult result, CancellationToken cancellationToken)
    {
        var data = new System.Text.Json.Nodes.JsonObject
        {
            ["activeKeyId"] = result.ActiveKeyId,
            ["resealed"] = result.Resealed,
            ["retiredKeyIds"] = new System.Text.Json.Nodes.JsonArray([.. result.RetiredKeyIds.Select(k => (System.Text.Json.Nodes.JsonNode?)k)]),
        };
        await events.AppendAsync([new Events.NewEvent(Events.EventTypes.VaultKeyRotated, Events.EventTypes.ActorAdmin, Data: data)], cancellationToken);
        return result;
    }

    public void Dispose() => _oneAtATime.Dispose();

    private static bool NeedsReseal(ConnectionRow row, string activeId) =>
        (row.AccessToken is { } a && SecretSealer.KeyIdOf(a) != activeId) || (row.RefreshToken is { } r && SecretSealer.KeyIdOf(r) != activeId);

    /// <summary>Opens with whichever key sealed it and seals under the active key; a value that cannot be opened is left as it is.</summary>
    private string? Reseal(string connectionId, string field, string? value) =>
        value is not null && sealer.TryOpen(connectionId, field, value, out var plain) ? sealer.Seal(connectionId, field, plain) : value;

    /// <summary>
    /// The key file or keychain to rotate in; null when the operator has put a new key first (in the variable, or on every
    /// instance of a shared store) and only the re-sealing is left.
    /// </summary>
    private IVaultKeyStorage? StorageOrThrow() =>
        _shared && ring.Keys.Count > 1 ? null
        : _shared
            ? throw new InvalidOperationException(
                $"Instances sharing {store.Description} must all know a key before any row is sealed with it, so it is rotated in their configuration: " +
                "add the new key after the old one on every instance and restart them, then put it first everywhere and restart again, " +
                "and call this again to re-seal every connection under it; then drop the old key (a start that still needs it refuses, and changes nothing).")
            : ring.Storage is { } storage ? storage
            : ring.Keys.Count > 1 ? null
            : throw new InvalidOperationException($"The vault key comes from {VaultInitializer.KeyVariable}: put a new key first there (new,old, comma-separated), " +
                "restart, and call this again to re-seal every connection under it; then drop the old key.");
}
