using Microsoft.Extensions.Options;
using TokenProxy.Vault;

namespace TokenProxy.Proxy;

/// <summary>The <c>TokenProxy:Clients</c> and <c>TokenProxy:AllowedOrigins</c> checks; a key is never repeated.</summary>
internal sealed class ClientAccessOptionsValidator : IValidateOptions<ClientAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, ClientAccessOptions options)
    {
        var errors = new List<string>();
        foreach (var (client, settings) in options.Clients)
        {
            if (settings.Key is not { Length: >= ClientOptions.MinKeyLength })
            {
                errors.Add($"TokenProxy:Clients:{client}:Key: must be at least {ClientOptions.MinKeyLength} characters (for example: openssl rand -base64 32).");
            }

            if (settings.Workspace is { } workspace && !ScopeNames.IsWorkspace(workspace))
            {
                errors.Add($"TokenProxy:Clients:{client}:Workspace: '{workspace}' is not a workspace id. {ScopeNames.WorkspaceRule}");
            }

            if (settings.EndUser is { } endUser && !ScopeNames.IsEndUser(endUser))
            {
                errors.Add($"TokenProxy:Clients:{client}:EndUser: '{endUser}' is not an end user id. {ScopeNames.EndUserRule}");
            }
        }

        foreach (var origin in options.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                errors.Add($"TokenProxy:AllowedOrigins: '{origin}' is not an origin (scheme://host[:port]).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
