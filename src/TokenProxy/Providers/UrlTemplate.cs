using System.Text;
using System.Text.RegularExpressions;

namespace TokenProxy.Providers;

/// <summary>
/// A provider URL with <c>{name}</c> placeholders, resolved per connection. A placeholder may stand in the host or in
/// the path; a token-response origin (<c>{instance_url}</c>) only at the very start. Resolving checks each value, then
/// the URL it makes: the scheme (https, or http to loopback), no user information or fragment, the query as written,
/// the host in <c>AllowedHosts</c> (or the template's own host), the port, and the path still under the template's
/// literal prefix. Anything else is refused before a request is sent.
/// </summary>
internal sealed partial class UrlTemplate
{
    private const string ProbePrefix = "tpprobe";

    private readonly IReadOnlyList<ProviderParameter> _placeholders;
    private readonly IReadOnlyList<AllowedHost> _allowedHosts;
    private readonly Uri _probe;
    private readonly string _pathPrefix;

    private UrlTemplate(string text, IReadOnlyList<ProviderParameter> placeholders, IReadOnlyList<AllowedHost> allowedHosts, Uri probe, bool hostTemplated, string pathPrefix)
    {
        Text = text;
        _placeholders = placeholders;
        _allowedHosts = allowedHosts;
        _probe = probe;
        HostTemplated = hostTemplated;
        _pathPrefix = pathPrefix;
    }

    /// <summary>The URL as configured, placeholders included.</summary>
    public string Text { get; }

    /// <summary>True when a placeholder decides the host (so <c>AllowedHosts</c> does).</summary>
    public bool HostTemplated { get; }

    /// <summary>True when a placeholder stands in the path (<c>/ex/jira/{cloudId}</c>).</summary>
    public bool PathTemplated { get; private init; }

    /// <summary>The names of the placeholders, in the order they appear.</summary>
    public IEnumerable<string> Placeholders => _placeholders.Select(p => p.Name);

    public override string ToString() => Text;

    /// <summary>
    /// Every origin this template can resolve to, as CSP source expressions (<c>https://*.zendesk.com</c>,
    /// <c>http://127.0.0.1:8443</c>): the template's own when a placeholder is only in the path, else one per allowed host.
    /// </summary>
    public IEnumerable<string> OriginSources() => HostTemplated
        ? _allowedHosts.Select(h => $"{_probe.Scheme}://{(h.Wildcard ? "*." : string.Empty)}{h.Host}{(h.AnyPort ? ":*" : h.Port is { } port ? $":{port}" : string.Empty)}")
        : [_probe.GetLeftPart(UriPartial.Authority)];

    /// <summary>True when <paramref name="text"/> holds a <c>{</c> or <c>}</c>: it is a template, valid or not.</summary>
    public static bool IsTemplate(string? text) => text is not null && text.AsSpan().IndexOfAny('{', '}') >= 0;

    /// <summary>
    /// The template, or null with every problem added to <paramref name="errors"/> under <paramref name="key"/>. A
    /// placeholder whose declaration is itself wrong, or AllowedHosts whose entries all are, was reported already.
    /// </summary>
    public static UrlTemplate? Parse(
        string text, string key, IReadOnlyDictionary<string, ProviderParameter> parameters, IReadOnlyList<AllowedHost> allowedHosts,
        ProviderDeclarations declared, List<string> errors)
    {
        var before = errors.Count;
        var placeholders = new List<ProviderParameter>();
        var probeText = new StringBuilder();
        var last = 0;
        var incomplete = false;
        foreach (Match match in Placeholder().Matches(text))
        {
            probeText.Append(text, last, match.Index - last);
            last = match.Index + match.Length;
            var name = match.Groups[1].Value;
            if (!parameters.TryGetValue(name, out var parameter))
            {
                if (!declared.Parameters.Contains(name))
                {
                    errors.Add($"{key}: the placeholder {{{name}}} is not declared under Parameters.");
                }

                incomplete = true;
                continue;
            }

            if (parameter.Kind == ParameterKind.TokenResponse && (match.Index != 0 || (last < text.Length && text[last] != '/')))
            {
                errors.Add($"{key}: {{{name}}} is an origin from the token response and can only start the URL ({{{name}}}/path).");
                continue;
            }

            placeholders.Add(parameter);
            probeText.Append(parameter.Kind == ParameterKind.TokenResponse ? $"https://{ProbePrefix}{placeholders.Count - 1}.invalid" : $"{ProbePrefix}{placeholders.Count - 1}");
        }

        probeText.Append(text, last, text.Length - last);
        var probeString = probeText.ToString();
        if (probeString.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"{key}: '{text}' has a '{{' or '}}' that is not a placeholder ({{name}}: letters, digits and '_').");
        }

        if (errors.Count > before || incomplete)
        {
            return null;
        }

        if (!Uri.TryCreate(probeString, UriKind.Absolute, out var probe) || (probe.Scheme != Uri.UriSchemeHttps && probe.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{key}: '{text}' is not an absolute http(s) URL once its placeholders are filled.");
            return null;
        }

        var hostTemplated = placeholders.Any(p => p.Kind == ParameterKind.TokenResponse) || probe.IdnHost.Contains(ProbePrefix, StringComparison.OrdinalIgnoreCase);
        var path = probe.AbsolutePath;
        for (var i = 0; i < placeholders.Count; i++)
        {
            var marker = $"{ProbePrefix}{i}";
            var inHost = placeholders[i].Kind == ParameterKind.TokenResponse || probe.IdnHost.Contains(marker, StringComparison.OrdinalIgnoreCase);
            if (!inHost && !path.Contains(marker, StringComparison.Ordinal))
            {
                errors.Add($"{key}: the placeholder {{{placeholders[i].Name}}} can stand only in the host or the path.");
            }
        }

        if (!string.IsNullOrEmpty(probe.UserInfo) || !string.IsNullOrEmpty(probe.Fragment))
        {
            errors.Add($"{key}: '{text}' must not have user information or a fragment.");
        }

        if (hostTemplated && allowedHosts.Count == 0 && !declared.AllowedHosts)
        {
            errors.Add($"{key}: '{text}' has a placeholder in its host, so the provider must declare AllowedHosts.");
        }

        // RFC 9700 §2.6: tokens travel over TLS only; plain http only when every host the URL can reach is loopback.
        var loopback = hostTemplated
            ? allowedHosts.Count > 0 && allowedHosts.All(h => !h.Wildcard && Uri.TryCreate($"http://{h.Host}", UriKind.Absolute, out var u) && ProviderCatalog.IsLoopback(u))
            : ProviderCatalog.IsLoopback(probe);
        if (probe.Scheme != Uri.UriSchemeHttps && !loopback)
        {
            errors.Add($"{key}: '{text}' must use https (plain http is allowed only when every allowed host is loopback).");
        }

        if (errors.Count > before || (hostTemplated && allowedHosts.Count == 0))
        {
            return null;
        }

        // The literal path before the first placeholder, up to its last "/": a resolved path must stay under it.
        var first = path.IndexOf(ProbePrefix, StringComparison.Ordinal);
        var prefix = first < 0 ? path : path[..(path.LastIndexOf('/', first) + 1)];
        return new UrlTemplate(text, placeholders, allowedHosts, probe, hostTemplated, prefix) { PathTemplated = first >= 0 };
    }

    /// <summary>
    /// The URL for a connection's <paramref name="values"/>, or why not (with the placeholder held responsible). Checks
    /// each value, then the URL it makes; nothing in the answer quotes a value.
    /// </summary>
    public UrlResolution Resolve(IReadOnlyDictionary<string, string> values)
    {
        var text = new StringBuilder();
        var last = 0;
        var index = 0;
        foreach (Match match in Placeholder().Matches(Text))
        {
            var parameter = _placeholders[index++];
            if (!values.TryGetValue(parameter.Name, out var value))
            {
                return UrlResolution.Refused(parameter, "is missing");
            }

            if (parameter.Problem(value) is { } problem)
            {
                return UrlResolution.Refused(parameter, problem);
            }

            text.Append(Text, last, match.Index - last);
            text.Append(parameter.Kind == ParameterKind.TokenResponse ? value.TrimEnd('/') : value);
            last = match.Index + match.Length;
        }

        text.Append(Text, last, Text.Length - last);
        var responsible = _placeholders.FirstOrDefault(p => p.Kind == ParameterKind.TokenResponse) ?? _placeholders[0];
        if (!Uri.TryCreate(text.ToString(), UriKind.Absolute, out var url))
        {
            return UrlResolution.Refused(responsible, "does not make a valid URL");
        }

        if (HostProblem(url) is { } hostProblem)
        {
            return UrlResolution.Refused(responsible, hostProblem);
        }

        // A value may neither escape the literal path prefix nor smuggle a query, a fragment or an encoded separator.
        var pathResponsible = _placeholders.FirstOrDefault(p => p.Kind != ParameterKind.TokenResponse) ?? responsible;
        if (!url.AbsolutePath.StartsWith(_pathPrefix, StringComparison.Ordinal)
            || url.Query != _probe.Query
            || !string.IsNullOrEmpty(url.Fragment)
            || ContainsEncodedSeparator(url.AbsolutePath) && !ContainsEncodedSeparator(_probe.AbsolutePath))
        {
            return UrlResolution.Refused(pathResponsible, $"takes the path out of {_pathPrefix}");
        }

        return UrlResolution.Resolved(url);
    }

    private string? HostProblem(Uri url)
    {
        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "puts user information in the URL";
        }

        if (!HostTemplated)
        {
            return string.Equals(url.Scheme, _probe.Scheme, StringComparison.Ordinal)
                && string.Equals(url.IdnHost, _probe.IdnHost, StringComparison.OrdinalIgnoreCase)
                && url.Port == _probe.Port
                ? null
                : $"changes the host of {_probe.GetLeftPart(UriPartial.Authority)}";
        }

        if (!_allowedHosts.Any(h => h.Matches(url)))
        {
            return $"names a host or port outside the provider's AllowedHosts ({string.Join(", ", _allowedHosts)})";
        }

        // RFC 9700 §2.6: an allowed host is still reached over TLS only, unless it is loopback.
        return url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && ProviderCatalog.IsLoopback(url)) ? null : "does not use https";
    }

    private static bool ContainsEncodedSeparator(string path) =>
        path.Contains("%2F", StringComparison.OrdinalIgnoreCase) || path.Contains("%5C", StringComparison.OrdinalIgnoreCase)
        || path.Contains("%2E", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]{0,63})\}")]
    private static partial Regex Placeholder();
}
