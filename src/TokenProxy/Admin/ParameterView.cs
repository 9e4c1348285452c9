using TokenProxy.Providers;

namespace TokenProxy.Admin;

/// <summary>
/// A declared placeholder of a provider: its name, what a person is asked for, and where its value comes from
/// (<c>Source</c>: <c>given</c>, typed in and checked against <c>Pattern</c>; <c>tokenResponse</c>; or <c>discovery</c>).
/// </summary>
internal sealed record ParameterView(string Name, string Label, string Source, string? Pattern)
{
    public static ParameterView From(ProviderParameter parameter) => new(
        parameter.Name,
        parameter.Label,
        parameter.Kind switch
        {
            ParameterKind.TokenResponse => "tokenResponse",
            ParameterKind.Discovery => "discovery",
            _ => "given",
        },
        parameter.Pattern?.ToString());
}
