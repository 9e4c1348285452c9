namespace TokenProxy.Admin;

/// <summary>A page for an outcome a person sees in the browser: a failed connect or callback.</summary>
internal static class AdminPage
{
    public static IResult Message(int status, string title, string message) =>
        PageLayout.Render(title, $"""
            <section class="card narrow">
              <h1>{PageLayout.Html(title)}</h1>
              <p>{PageLayout.Html(message)}</p>
              <p><a class="button secondary" href="/admin/connections">Back to connections</a></p>
            </section>
            """, status);
}
