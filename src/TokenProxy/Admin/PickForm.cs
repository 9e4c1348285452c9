using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary>What <see cref="PickPage"/> shows: the values a discovery offered for one connect.</summary>
internal sealed record PickForm(string Provider, string DisplayName, PickRequest Pick)
{
    /// <summary>True when a connect request's link started the connect: its person may have no admin access, so no admin navigation.</summary>
    public bool Link { get; init; }
}
