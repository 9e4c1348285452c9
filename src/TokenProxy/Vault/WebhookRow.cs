namespace TokenProxy.Vault;

/// <summary>
/// A webhook as the store keeps it (docs/architecture.md §12). <see cref="SealedSecret"/> is sealed like a token (associated
/// data: <c>webhook:{name}</c> and <see cref="SecretSealer.WebhookSecretField"/>). <see cref="Cursor"/> is the sequence of the
/// last event fanned out to it; a new webhook starts at the newest event, so it is not flooded with history.
/// <see cref="Origin"/> is <c>config</c> for one from <c>TokenProxy:Webhooks</c> (kept in step with the configuration at
/// every start) or <c>api</c> for one the admin API made.
/// </summary>
internal sealed record WebhookRow(
    string Name,
    string Url,
    string SealedSecret,
    IReadOnlyList<string> Events,
    string? Workspace,
    string Origin,
    long Cursor,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string FromConfiguration = "config";
    public const string FromApi = "api";

    /// <summary>The associated data's id of the sealed secret: it cannot be moved to another webhook.</summary>
    public static string SealingId(string name) => "webhook:" + name;
}
