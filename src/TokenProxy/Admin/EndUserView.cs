using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>A connection's end user as the admin API takes and shows it: <c>{id, displayName?, email?}</c>.</summary>
internal sealed record EndUserView(string? Id, string? DisplayName, string? Email)
{
    public static EndUserView? From(ConnectionEndUser? endUser) => endUser is null ? null : new(endUser.Id, endUser.DisplayName, endUser.Email);

    /// <summary>Every problem with it, keyed by the field under <c>endUser</c>; never quotes a value.</summary>
    public void Validate(Dictionary<string, string[]> errors)
    {
        if (!ScopeNames.IsEndUser(Id))
        {
            errors["endUser.id"] = [ScopeNames.EndUserRule];
        }

        if (DisplayName is not null && !ScopeNames.IsText(DisplayName))
        {
            errors["endUser.displayName"] = [$"A display name is {ScopeNames.TextRule}."];
        }

        // Shown, never mailed: it only has to look like an address.
        if (Email is not null && (!ScopeNames.IsText(Email) || Email.Any(char.IsWhiteSpace) || Email.IndexOf('@', StringComparison.Ordinal) is <= 0))
        {
            errors["endUser.email"] = ["An email is an address like name@example.com."];
        }
    }

    public ConnectionEndUser ToStored() => new(Id!, DisplayName, Email);
}
