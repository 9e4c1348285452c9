using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>
/// What <see cref="ImportPage"/> shows: the form for one credential kind (<see cref="CredentialKind.ApiKey"/>,
/// <see cref="CredentialKind.Basic"/> or <see cref="CredentialKind.Bearer"/>) of one provider.
/// </summary>
internal sealed record ImportPageModel(ProviderView Provider, CredentialKind Kind);
