using System.Text.Json;
using System.Text.Json.Serialization;
using TokenProxy.Providers;

namespace TokenProxy.Vault;

/// <summary>
/// Moves connections between stores (SQLite to PostgreSQL, or back) without opening a single secret: rows travel with
/// their sealed fields as they are, so neither the export file nor this code ever holds a plaintext token, and no key
/// is needed to move them — only to use them afterwards.
/// </summary>
internal static class VaultTransfer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A field no export has is refused, not dropped: a hand-edited file says what it meant, or is corrected. So is a
        // null where the row has no null (a label, a list of scopes): it would fail later, halfway through the writes.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        // Origin by name, as the admin API shows it; a file written with its number still reads.
        Converters =
        {
            new JsonStringEnumConverter<ConnectionStatus>(JsonNamingPolicy.CamelCase), new JsonStringEnumConverter<ConnectionOrigin>(JsonNamingPolicy.CamelCase),
            new CredentialKindJsonConverter(),
        },
    };

    /// <summary>Writes every connection of <paramref name="store"/> to <paramref name="destination"/>; returns how many.</summary>
    public static async Task<int> ExportAsync(IConnectionStore store, Stream destination, TimeProvider time, CancellationToken cancellationToken)
    {
        var rows = await store.ListAsync(cancellationToken);
        var workspaces = await store.ListWorkspacesAsync(cancellationToken);
        var export = new VaultExport(VaultExport.FormatName, VaultExport.CurrentVersion, time.GetUtcNow(), store.Description, rows, workspaces);
        await JsonSerializer.SerializeAsync(destination, export, Json, cancellationToken);
        return rows.Count;
    }

    /// <summary>
    /// Reads an export and checks every row as the admin API checks what it stores (ids, labels, workspace and end user
    /// ids, names shown on pages): a row nothing else could have created is refused, with the whole file, before anything
    /// is written, and every problem is named.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a TokenProxy export this version reads.</exception>
    public static async Task<VaultImport> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        VaultExport? export;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(source, cancellationToken: cancellationToken);
            export = document.Deserialize<VaultExport>(Json);
        }
        catch (JsonException e)
        {
            // Where, not the parser's own words: those name .NET types, and the file is read by people.
            var at = e.Path is { Length: > 1 } path ? $"the value at {path}" : "the JSON";
            throw new InvalidDataException(
                $"Not a TokenProxy vault export: {at} (line {e.LineNumber + 1}) is not a field an export has, or not valid JSON of the type it has; nothing was imported.", e);
        }

        if (export is null || export.Format != VaultExport.FormatName || export.Connections is null)
        {
            throw new InvalidDataException($"Not a TokenProxy vault export (\"format\" must be \"{VaultExport.FormatName}\").");
        }

        if (export.Version != VaultExport.CurrentVersion)
        {
            throw new InvalidDataException($"Vault export version {export.Version} is not one this TokenProxy reads ({VaultExport.CurrentVersion}).");
        }

        // A null where a row or workspace should be: no annotation covers a list's elements.
        var nulls = export.Connections.Select((r, i) => r is null ? $"connections[{i}]" : null)
            .Concat((export.Workspaces ?? []).Select((w, i) => w is null ? $"workspaces[{i}]" : null)).OfType<string>().ToList();
        if (nulls.Count > 0)
        {
            throw new InvalidDataException($"Not a TokenProxy vault export: {string.Join(", ", nulls)} is null, not a row; nothing was imported.");
        }

        var rows = KnownKinds(export.Connections, document);
        document.Dispose();
        var workspaces = export.Workspaces ?? [];
        if (Problems(rows, workspaces) is { Count: > 0 } problems)
        {
            const int Shown = 10;
            throw new InvalidDataException(
                $"The export has {problems.Count} value(s) TokenProxy does not store, so nothing was imported: " +
                string.Join("; ", problems.Take(Shown)) + (problems.Count > Shown ? $"; and {problems.Count - Shown} more." : "."));
        }

        var keyIds = rows
            .SelectMany(r => new[] { r.AccessToken, r.RefreshToken }).OfType<string>()
            .Select(SecretSealer.KeyIdOf).OfType<string>()
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new VaultImport(rows, workspaces, keyIds);
    }

    /// <summary>
    /// Adds the file's connections to <paramref name="store"/> under their own ids. Safe to run again: a row whose id is
    /// already stored is left alone; one whose provider and label another connection holds is reported, not overwritten.
    /// </summary>
    public static async Task<VaultImportResult> ImportAsync(IConnectionStore store, VaultImport file, CancellationToken cancellationToken)
    {
        var rows = file.Connections;
        // The workspaces first (a connection is inserted only into a workspace that exists): those the file lists, with
        // their names; then any a connection names that it does not list (a file from before workspaces were exported),
        // named by its id as the migration from before workspaces does. One already there is left as it is.
        var named = rows.Where(r => r.Workspace is not null).GroupBy(r => r.Workspace!, StringComparer.Ordinal)
            .Select(g => new WorkspaceRow(g.Key, g.Key, g.Min(r => r.CreatedAt)));
        foreach (var workspace in file.Workspaces.Concat(named).DistinctBy(w => w.Id, StringComparer.Ordinal))
        {
            if (await store.GetWorkspaceAsync(workspace.Id, cancellationToken) is null)
            {
                await store.TryInsertWorkspaceAsync(workspace, cancellationToken);
            }
        }

        var (imported, present, conflicts) = (0, 0, new List<string>());
        foreach (var row in rows)
        {
            if (await store.GetAsync(row.Id, cancellationToken) is not null)
            {
                present++;
            }
            else if (await store.TryInsertAsync(row, cancellationToken))
            {
                imported++;
            }
            else
            {
                conflicts.Add($"{row.Provider}/{row.Label} ({row.Id})");
            }
        }

        return new VaultImportResult(imported, present, conflicts);
    }

    /// <summary>What the admin API would refuse to store, each named by where it is in the file (never a secret: none is read).</summary>
    private static List<string> Problems(List<ConnectionRow> rows, IReadOnlyList<WorkspaceRow> workspaces)
    {
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<(string, string, string?, string?)>();
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, at) = (rows[i], $"connections[{i}]");
            if (!ConnectionIds.IsWellFormed(row.Id))
            {
                problems.Add($"{at}.id is not a connection id ('conn_' and 20 hex digits)");
            }
            else if (!ids.Add(row.Id))
            {
                problems.Add($"{at}.id {row.Id} is in the file twice");
            }

            if (!ProviderCatalog.IsProviderName(row.Provider))
            {
                problems.Add($"{at}.provider is not a provider name (1-63 lowercase letters, digits, '_' or '-')");
            }

            if (!ConnectionLabel.IsValid(row.Label))
            {
                problems.Add($"{at}.label: {ConnectionLabel.Rule}");
            }
            else if (!names.Add((row.Provider, row.Label, row.Workspace, row.EndUser?.Id)))
            {
                problems.Add($"{at}: another connection in the file has its provider and label{(row.Workspace is null ? string.Empty : " in its workspace")}");
            }

            foreach (var (field, value) in new[] { ("accessToken", row.AccessToken), ("refreshToken", row.RefreshToken) })
            {
                if (value is not null && !SecretSealer.IsSealedForm(value))
                {
                    // Stored as it is, it would be plaintext at rest, or a value no key opens that stops every start.
                    problems.Add($"{at}.{field} is not a sealed value (key id, ':', base64)");
                }
            }

            if (row.Workspace is not null && !ScopeNames.IsWorkspace(row.Workspace))
            {
                problems.Add($"{at}.workspace: {ScopeNames.WorkspaceRule}");
            }

            if (row.EndUser is { } endUser && (!ScopeNames.IsEndUser(endUser.Id) || !IsTextOrNull(endUser.DisplayName) || !IsTextOrNull(endUser.Email)))
            {
                problems.Add($"{at}.endUser: {ScopeNames.EndUserRule} Its display name and email are {ScopeNames.TextRule}");
            }
        }

        for (var i = 0; i < workspaces.Count; i++)
        {
            if (!ScopeNames.IsWorkspace(workspaces[i].Id) || !ScopeNames.IsText(workspaces[i].DisplayName))
            {
                problems.Add($"workspaces[{i}]: {ScopeNames.WorkspaceRule} Its display name is {ScopeNames.TextRule}");
            }
        }

        return problems;
    }

    private static bool IsTextOrNull(string? value) => value is null || ScopeNames.IsText(value);

    /// <summary>
    /// Each row with a credential kind this version knows: a file from before credential kinds names none, and its rows
    /// get the kind the store's migration gives stored rows (OAuth2 when connected, pending or refreshable, else bearer);
    /// a kind no version wrote is refused rather than stored.
    /// </summary>
    private static List<ConnectionRow> KnownKinds(IReadOnlyList<ConnectionRow> rows, JsonDocument document)
    {
        var listed = document.RootElement.TryGetProperty("connections", out var connections) && connections.ValueKind == JsonValueKind.Array
            ? connections.EnumerateArray().ToList()
            : [];
        var known = new List<ConnectionRow>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (!Enum.IsDefined(row.CredentialKind))
            {
                var given = i < listed.Count && listed[i].ValueKind == JsonValueKind.Object && listed[i].TryGetProperty("credentialKind", out var value)
                    ? value.GetRawText()
                    : ((int)row.CredentialKind).ToString(System.Globalization.CultureInfo.InvariantCulture);
                throw new InvalidDataException(
                    $"Connection {row.Id}: credentialKind {Shortened(given)} is not a kind this TokenProxy knows ({CredentialKindNames.WireNames}); nothing was imported.");
            }

            if (!Enum.IsDefined(row.Origin))
            {
                throw new InvalidDataException($"Connection {row.Id}: origin {(int)row.Origin} is not one this TokenProxy knows; nothing was imported.");
            }

            var named = i < listed.Count && listed[i].ValueKind == JsonValueKind.Object && listed[i].TryGetProperty("credentialKind", out _);
            known.Add(named || row.RefreshToken is not null || row.LastRefreshedAt is not null || row.Status == ConnectionStatus.Pending
                ? row
                : row with { CredentialKind = CredentialKind.Bearer });
        }

        return known;
    }

    private static string Shortened(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
