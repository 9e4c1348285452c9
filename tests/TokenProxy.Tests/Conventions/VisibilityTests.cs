using System.CodeDom.Compiler;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
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
            // The Razor compiler declares every component public, by design (dotnet/aspnetcore#63041); the admin
            // pages take their internal models as private cascading parameters, so nothing else becomes visible.
            .Where(t => !typeof(IComponent).IsAssignableFrom(t))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(visible.Count == 0, "Public types (make them internal):\n  " + string.Join("\n  ", visible));
    }
}
