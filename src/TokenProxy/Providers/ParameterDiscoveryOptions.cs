namespace TokenProxy.Providers;

/// <summary>A discovery call (Atlassian's accessible-resources): its URL, answered with a JSON array, and the fields of each entry.</summary>
internal sealed class ParameterDiscoveryOptions
{
    public string? Url { get; set; }

    /// <summary>The field of an entry that holds the parameter's value (<c>id</c>).</summary>
    public string? ValueField { get; set; }

    /// <summary>The field of an entry shown when the person picks one (<c>name</c>).</summary>
    public string? LabelField { get; set; }
}
