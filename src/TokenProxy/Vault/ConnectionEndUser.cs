namespace TokenProxy.Vault;

/// <summary>
/// The person of a workspace a connection belongs to, as the operator's app names them: an id the app chooses (sent in
/// <c>TokenProxy-End-User</c>), and, for people reading the pages, a display name and an email. Not the provider's
/// account (<see cref="ConnectionAccount"/>): one end user may connect several accounts.
/// </summary>
internal sealed record ConnectionEndUser(string Id, string? DisplayName = null, string? Email = null);
