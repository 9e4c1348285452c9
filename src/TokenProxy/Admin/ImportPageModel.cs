using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>
/// What <see cref="ImportPage"/> shows: the form for one credential kind (<see cref="CredentialKind.ApiKey"/>,
/// <see cref="CredentialKind.Basic"/> or <see cref="CredentialKind.Bearer"/>) of one provider, filled with the label,
/// workspace and end user a <c>not_connected</c> link carries (each only when valid).
/// </summary>
internal sealed record ImportPageModel(ProviderView Provider, CredentialKind Kind, string? Label = null, string? Workspace = null, string? EndUser = null);
