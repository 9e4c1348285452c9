using TokenProxy.Admin;
using TokenProxy.Portal;

namespace TokenProxy.Links;

internal static class LinksServiceCollectionExtensions
{
    /// <summary>After <c>AddPortal</c>: the portal's outstanding requests are the connect requests.</summary>
    public static IServiceCollection AddLinks(this IServiceCollection services) => services
        .AddSingleton<ILinkCompletion, LinkCompletion>()
        .AddSingleton<IOutstandingRequests, LinkOutstandingRequests>();
}
