using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary>What <see cref="ConnectFormPage"/> shows: the values a connect still needs, and the connect's own settings to carry along.</summary>
internal sealed record ConnectForm(string Provider, string DisplayName, string? Label, string? ConnectionId, string? Scopes, IReadOnlyList<ParameterField> Fields)
{
    /// <summary>The workspace the new connection goes to, carried along with the values.</summary>
    public string? Workspace { get; init; }

    /// <summary>The end user the new connection is for, carried along with the values.</summary>
    public string? EndUser { get; init; }
}
