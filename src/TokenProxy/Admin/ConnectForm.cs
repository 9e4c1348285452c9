using TokenProxy.Tokens;

namespace TokenProxy.Admin;

/// <summary>What <see cref="ConnectFormPage"/> shows: the values a connect still needs, and the connect's own settings to carry along.</summary>
internal sealed record ConnectForm(string Provider, string DisplayName, string? Label, string? ConnectionId, string? Scopes, IReadOnlyList<ParameterField> Fields);
