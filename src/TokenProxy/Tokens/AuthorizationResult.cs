namespace TokenProxy.Tokens;

/// <summary>
/// What a connect or callback step produced: a redirect, a finished connection, a failure to show the person, the values
/// still to give (<see cref="Fields"/>) or a discovered value to pick (<see cref="Pick"/>).
/// </summary>
internal sealed record AuthorizationResult(string? RedirectUrl, string? ConnectionId, int Status, string? Title, string? Message)
{
    /// <summary>Set when the connect needs values from the person: every given parameter, with the reason a value was refused.</summary>
    public IReadOnlyList<ParameterField>? Fields { get; init; }

    /// <summary>Set when the code exchange discovered several values and the person picks one.</summary>
    public PickRequest? Pick { get; init; }

    /// <summary>The connect request whose link started this flow; its pages are then the link's, never the admin's.</summary>
    public string? ConnectRequestId { get; init; }

    /// <summary>
    /// Set when the flow cannot be told (an unknown or used state): it may have come from a link, so its page is a plain
    /// one, without admin navigation.
    /// </summary>
    public bool Unattributed { get; init; }

    public static AuthorizationResult Redirect(string url) => new(url, null, 302, null, null);

    public static AuthorizationResult Connected(string connectionId) => new(null, connectionId, 303, null, null);

    public static AuthorizationResult Failed(int status, string title, string message) => new(null, null, status, title, message);

    /// <summary>400 when a value was refused, 200 when some are only missing.</summary>
    public static AuthorizationResult NeedsValues(IReadOnlyList<ParameterField> fields) =>
        new(null, null, fields.Any(f => f.Problem is not null) ? 400 : 200, null, null) { Fields = fields };

    public static AuthorizationResult Picking(PickRequest pick) => new(null, null, 200, null, null) { Pick = pick };
}
