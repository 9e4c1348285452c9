using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>The ways a person can make a connection of a provider from the admin pages, one per credential kind it offers.</summary>
internal static class ProviderActions
{
    /// <summary>The wire names of the kinds the import form takes (<c>?kind=</c>), each with its button text.</summary>
    private static readonly Dictionary<CredentialKind, string> Imports = new()
    {
        [CredentialKind.ApiKey] = "Import API key",
        [CredentialKind.Basic] = "Import Basic credentials",
        [CredentialKind.Bearer] = "Import token",
        [CredentialKind.ClientCredentials] = "Create client-credentials connection",
    };

    /// <summary>The actions for <paramref name="provider"/>: Connect first when it can connect, then one import per kind.</summary>
    public static IEnumerable<ProviderAction> For(ProviderView provider)
    {
        if (provider.Configured)
        {
            yield return new ProviderAction("Connect", $"/admin/connect/{Uri.EscapeDataString(provider.Name)}", Primary: true);
        }

        foreach (var kind in provider.CredentialKinds.Select(CredentialKindNames.Parse))
        {
            // A client-credentials connection has a form too, with no secret in it: a label, parameters and scopes.
            var imported = kind == CredentialKind.OAuth2 ? CredentialKind.Bearer : kind;
            if (Imports.TryGetValue(imported, out var text))
            {
                yield return new ProviderAction(text, ImportUrl(provider.Name, imported), Primary: !provider.Configured && kind != CredentialKind.OAuth2);
            }
        }
    }

    /// <summary>The import kind <paramref name="kind"/> names (<c>apikey</c>, <c>basic</c>, <c>bearer</c>, <c>clientcredentials</c>), when <paramref name="provider"/> offers it.</summary>
    public static CredentialKind? ImportKind(ProviderDefinition provider, string? kind)
    {
        var offered = provider.CredentialKinds.Select(k => k == CredentialKind.OAuth2 ? CredentialKind.Bearer : k).Where(Imports.ContainsKey).ToList();
        if (kind is null)
        {
            // Without a choice, the kind a person is most likely to hold: a key or Basic credentials before a token.
            return offered.OrderBy(k => k == CredentialKind.Bearer).Cast<CredentialKind?>().FirstOrDefault();
        }

        return offered.Cast<CredentialKind?>().FirstOrDefault(k => k!.Value.ToWire() == kind);
    }

    public static string ImportUrl(string provider, CredentialKind kind) => ProviderDefinition.ImportPath(provider, kind);
}
