using TokenProxy.Hosting;

namespace TokenProxy.Admin;

/// <summary>The admin API's failures, as problem+json.</summary>
internal static class AdminProblems
{
    public static ProblemResult Forbidden(string detail, string code = "admin_forbidden") =>
        new(StatusCodes.Status403Forbidden, code, "Forbidden.", detail);

    public static ProblemResult ConnectionNotFound(string id) =>
        new(StatusCodes.Status404NotFound, "connection_not_found", "Connection not found.", $"There is no connection '{id}'.");

    public static ProblemResult Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "invalid_request", "The request is not valid.",
            string.Join(" ", errors.SelectMany(e => e.Value)), new Dictionary<string, object?> { ["errors"] = errors });

    public static ProblemResult LabelTaken(string provider, string label) =>
        new(StatusCodes.Status409Conflict, "label_taken", "Label already in use.",
            $"{provider} already has a connection labelled '{label}'. Choose another label, or delete that connection first.");
}
