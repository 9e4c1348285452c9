using TokenProxy.Admin;

namespace TokenProxy.Portal;

/// <summary>Renders portal pages with the admin pages' renderer and headers (no cache, no referrer, a strict CSP).</summary>
internal static class PortalPage
{
    public static IResult Render<TPage, TModel>(TModel model, int status = StatusCodes.Status200OK)
        where TPage : Microsoft.AspNetCore.Components.IComponent
        where TModel : class =>
        AdminPage.Render<TPage, TModel>(model, status);

    /// <summary>A plain page for an outcome a person sees: no session, a link that does not work, nothing at this address.</summary>
    public static IResult Message(int status, string title, string message) =>
        Render<PortalMessagePage, PageMessage>(new PageMessage(title, message), status);
}
