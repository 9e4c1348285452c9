using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary>What <see cref="PickPage"/> shows: the values a discovery offered for one connect.</summary>
internal sealed record PickForm(string Provider, string DisplayName, PickRequest Pick);
