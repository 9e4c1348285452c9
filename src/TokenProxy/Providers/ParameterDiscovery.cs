namespace TokenProxy.Providers;

/// <summary>A validated discovery call: where, and which fields of each entry hold the value and its label.</summary>
internal sealed record ParameterDiscovery(Uri Url, string ValueField, string? LabelField);
