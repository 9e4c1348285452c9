namespace TokenProxy.Admin;

/// <summary>What <see cref="MessagePage"/> says: an outcome a person sees in the browser, such as a failed connect or callback.</summary>
internal sealed record PageMessage(string Title, string Message);
