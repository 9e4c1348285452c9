using System.Text.Json.Serialization;
using TokenProxy.OAuth;
using TokenProxy.Providers;
using TokenProxy.Vault;

namespace TokenProxy.Admin;

/// <summary>
/// <c>POST /admin/api/connect-requests</c>: ask a workspace's person to connect an account by a link (docs/architecture.md
/// §9). The connection lands in <see cref="Workspace"/> (and <see cref="EndUser"/>); <see cref="Connection"/> names one to
/// reconnect instead, keeping its id.
/// </summary>
// Numbers are numbers: the web defaults would read "60" as 60, and a quoted expiresIn is a client's mistake to name.
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record CreateConnectRequest(
    string? Workspace,
    string? Provider,
    string? Label,
    string[]? Scopes,
    EndUserView? EndUser,
    Dictionary<string, string>? Parameters,
    string? Connection,
    long? ExpiresIn,
    string? Message)
{
    /// <summary>The body's fields as JSON names them (matched case aside, as the reader does).</summary>
    public static readonly IReadOnlySet<string> Fields = new SortedSet<string>(
        ["workspace", "provider", "label", "scopes", "endUser", "parameters", "connection", "expiresIn", "message"], StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a link stays valid when the request does not say: 7 days.</summary>
    public const long DefaultExpiresIn = 7 * 24 * 3600;

    /// <summary>The longest a link stays valid: 30 days.</summary>
    public const long MaxExpiresIn = 30 * 24 * 3600;

    /// <summary>The longest message to the person.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// Every problem that needs no store, by field; never quotes a value. The provider must connect people in a browser
    /// (OAuth2 with its client set up); each parameter must be one the person would give, with a value that passes its checks.
    /// </summary>
    public Dictionary<string, string[]> Validate(ProviderCatalog providers, out ProviderDefinition? provider)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        provider = null;
        if (string.IsNullOrEmpty(Workspace))
        {
            errors["workspace"] = ["A connect request is for one workspace: give its id."];
        }
        else if (!ScopeNames.IsWorkspace(Workspace))
        {
            errors["workspace"] = [ScopeNames.WorkspaceRule];
        }

        if (string.IsNullOrEmpty(Provider) || !providers.TryGet(Provider, out provider))
        {
            errors["provider"] = ["Not a configured provider."];
        }
        else if (!provider.CanConnect)
        {
            errors["provider"] = [$"{provider.Name} cannot connect people in a browser: it needs OAuth2 with its ClientId (and ClientSecret) and endpoints configured."];
        }
        else
        {
            ValidateParameters(provider, errors);
        }

        if (Label is not null && !ConnectionLabel.IsValid(Label))
        {
            errors["label"] = [ConnectionLabel.Rule];
        }

        EndUser?.Validate(errors);

        if (Scopes is not null && ScopeSyntax.Problem(Scopes) is { } scopeProblem)
        {
            errors["scopes"] = [scopeProblem];
        }

        if (ExpiresIn is < 1 or > MaxExpiresIn)
        {
            errors["expiresIn"] = [$"expiresIn is a number of seconds from 1 to {MaxExpiresIn} (30 days); without it, 7 days."];
        }

        if (Message is not null && (Message.Length is 0 or > MaxMessageLength || !ShownText.IsPlain(Message)))
        {
            errors["message"] = [$"A message is 1-{MaxMessageLength} characters without control characters (no line breaks, no bidirectional overrides, no invisible characters)."];
        }

        if (Connection is not null && !Connection.StartsWith(ConnectionIds.Prefix, StringComparison.Ordinal))
        {
            errors["connection"] = ["A connection id starts with 'conn_'."];
        }

        return errors;
    }

    /// <summary>
    /// The connection to reconnect, when <see cref="Connection"/> names one: it must be of the provider, in the request's
    /// workspace and end user, and hold tokens a sign-in gives; else why not.
    /// </summary>
    public string? ConnectionProblem(ConnectionRow? row, ProviderDefinition provider)
    {
        if (row is null || row.Provider != provider.Name || row.Workspace != Workspace || row.EndUser?.Id != EndUser?.Id)
        {
            // One answer for "no such id" and "not there": the id of another workspace's connection reveals nothing.
            return $"There is no {provider.Name} connection with that id in workspace '{Workspace}'{(EndUser is null ? " without an end user" : " for that end user")}.";
        }

        if (!row.CredentialKind.IsReconnectable())
        {
            return $"The connection holds {row.CredentialKind.ToWire()} credentials, which no sign-in gives: it cannot be reconnected in a browser.";
        }

        return Label is not null && Label != row.Label ? $"The connection is labelled '{row.Label}'; leave label out, or give that one." : null;
    }

    /// <summary>Only the provider's given parameters (those a person types), each with a value that passes its own checks.</summary>
    private void ValidateParameters(ProviderDefinition provider, Dictionary<string, string[]> errors)
    {
        foreach (var (name, value) in Parameters ?? [])
        {
            var parameter = provider.GivenParameters.FirstOrDefault(p => p.Name == name);
            if (parameter is null)
            {
                var shown = name.Length <= 64 ? name : name[..64] + "…";
                errors[$"parameters.{shown}"] = [$"{provider.Name} asks no value by that name (it asks: {(provider.GivenParameters.Any() ? string.Join(", ", provider.GivenParameters.Select(p => p.Name)) : "none")})."];
            }
            else if (parameter.Problem(value) is { } problem)
            {
                errors[$"parameters.{name}"] = [$"{parameter.Label} ({name}) {problem}."];
            }
        }

        if (errors.Keys.Any(k => k.StartsWith("parameters.", StringComparison.Ordinal)) || Parameters is not { Count: > 0 } given)
        {
            return;
        }

        // The URLs the given values complete are checked as an import's are (host, port, path): a value that can never
        // work is refused now, not on the link's page after the operator has sent it.
        foreach (var template in provider.UrlTemplates.Values.Where(t => t.Placeholders.All(given.ContainsKey)))
        {
            if (template.Resolve(given) is { Succeeded: false } refused)
            {
                errors[$"parameters.{refused.Parameter!.Name}"] = [$"{refused.Describe()}."];
            }
        }
    }
}
