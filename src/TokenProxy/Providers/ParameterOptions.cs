namespace TokenProxy.Providers;

/// <summary>
/// One <c>Parameters</c> entry: how a <c>{name}</c> placeholder of the provider's URLs gets its value. Exactly one
/// source: <see cref="Pattern"/> (given by the person), <see cref="FromTokenResponse"/>, or <see cref="Discovery"/>.
/// </summary>
internal sealed class ParameterOptions
{
    /// <summary>The regular expression a given value must match, anchored <c>^…\z</c> (in .NET, <c>$</c> also matches before a final newline).</summary>
    public string? Pattern { get; set; }

    /// <summary>What the person is asked for ("Zendesk subdomain"). Default: the parameter name.</summary>
    public string? Label { get; set; }

    /// <summary>The value is the token response's field of the parameter's name, an origin such as Salesforce's <c>instance_url</c>.</summary>
    public bool? FromTokenResponse { get; set; }

    /// <summary>The value is chosen from the answer of a discovery call made with the new access token.</summary>
    public ParameterDiscoveryOptions? Discovery { get; set; }
}
