namespace TokenProxy.Providers;

/// <summary>A URL resolved for a connection, or the placeholder that could not be filled and why (never its value).</summary>
internal readonly record struct UrlResolution(Uri? Url, ProviderParameter? Parameter, string? Problem)
{
    public bool Succeeded => Url is not null;

    public static UrlResolution Resolved(Uri url) => new(url, null, null);

    public static UrlResolution Refused(ProviderParameter parameter, string problem) => new(null, parameter, problem);

    /// <summary>"Zendesk subdomain (subdomain) is missing": for a problem body or a log line.</summary>
    public string Describe() => Parameter is null ? string.Empty : $"{Parameter.Label} ({Parameter.Name}) {Problem}";
}
