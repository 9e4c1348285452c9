using TokenProxy.Admin;

namespace TokenProxy.Links;

internal static class LinksServiceCollectionExtensions
{
    public static IServiceCollection AddLinks(this IServiceCollection services) => services.AddSingleton<ILinkCompletion, LinkCompletion>();
}
