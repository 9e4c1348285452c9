namespace TokenProxy.Tokens;

/// <summary>
/// One value a person gives at connect (a Zendesk subdomain), as the connect form shows it: its label, the value
/// accepted so far, and why a value given for it was refused (never quoting the refused value).
/// </summary>
internal sealed record ParameterField(string Name, string Label, string? Value, string? Problem);
