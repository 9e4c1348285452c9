namespace TokenProxy.Admin;

/// <summary>A link on the providers page: its text, where it goes, and whether it is the provider's main action.</summary>
internal sealed record ProviderAction(string Text, string Href, bool Primary);
