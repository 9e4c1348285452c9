using System.CodeDom.Compiler;
using System.Reflection;
using System.Runtime.CompilerServices;
using TokenProxy.Hosting;

namespace TokenProxy.Tests.Conventions;

/// <summary>TokenProxy is an application, not a library: nothing in its assembly is visible outside it.</summary>
public sealed class VisibilityTests
{
    [Fact]
    public void No_type_of_the_proxy_is_public()
    {
        var visible = typeof(TokenProxyHost).Assembly.GetTypes()
            .Where(t => t.IsVisible && !t.IsDefined(typeof(CompilerGeneratedAttribute)) && !t.IsDefined(typeof(GeneratedCodeAttribute)))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(visible.Count == 0, "Public types (make them internal):\n  " + string.Join("\n  ", visible));
    }
}
