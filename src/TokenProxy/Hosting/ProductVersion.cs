using System.Reflection;

namespace TokenProxy.Hosting;

/// <summary>The version the build stamped on the executable (with the commit when the build knew it).</summary>
internal static class ProductVersion
{
    public static string Text { get; } =
        typeof(ProductVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ProductVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
