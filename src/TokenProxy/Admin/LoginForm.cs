namespace TokenProxy.Admin;

/// <summary>The sign-in page's state: <see cref="Failed"/> after a wrong admin token.</summary>
internal sealed record LoginForm(bool Failed);
