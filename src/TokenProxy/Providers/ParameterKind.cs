namespace TokenProxy.Providers;

/// <summary>Where the value of a URL placeholder comes from.</summary>
internal enum ParameterKind
{
    /// <summary>The person gives it (connect form, import body); checked against its <c>Pattern</c>.</summary>
    Given,

    /// <summary>The token response's field of the same name (Salesforce <c>instance_url</c>): an origin, at connect and at every refresh.</summary>
    TokenResponse,

    /// <summary>A discovery call after connect answers a list; one entry is taken, of several the person picks one.</summary>
    Discovery,
}
