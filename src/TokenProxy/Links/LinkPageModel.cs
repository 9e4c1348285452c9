using TokenProxy.Tokens;

namespace TokenProxy.Links;

/// <summary>
/// What <see cref="LinkPage"/> shows a person who opened a connect request's link: who asks, for which app and access,
/// the operator's message, and the values still to give. Never the link's token: the page's form posts to its own address.
/// </summary>
internal sealed record LinkPageModel(string Workspace, string Provider, IReadOnlyList<string> Scopes, string? Message, IReadOnlyList<ParameterField> Fields)
{
    /// <summary>True when the request reconnects an existing connection.</summary>
    public bool Reconnect { get; init; }

    /// <summary>The end user the connection is for, as the operator named them.</summary>
    public string? EndUser { get; init; }
}
