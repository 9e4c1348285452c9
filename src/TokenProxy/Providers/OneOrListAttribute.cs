namespace TokenProxy.Providers;

/// <summary>
/// Marks a list setting that also takes one value (<c>"Auth": "ApiKey"</c> as well as <c>"Auth": ["OAuth2", "Basic"]</c>).
/// The configuration binder reads only the list form; <see cref="ProvidersOptions.BindOneValueLists"/> reads the other.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OneOrListAttribute : Attribute;
