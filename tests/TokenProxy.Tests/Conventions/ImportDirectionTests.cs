using System.Text.RegularExpressions;

namespace TokenProxy.Tests.Conventions;

/// <summary>
/// The folders of src/TokenProxy depend one way (docs/architecture.md, §3): every <c>using</c> line, and every
/// reference to another folder written out in full (<c>TokenProxy.Vault.X</c>) or from the shared root namespace
/// (<c>Telemetry.Telemetry.X</c>), points to a folder lower in <see cref="Layers"/>. OAuth and Vault share a layer and
/// do not import each other.
/// </summary>
public sealed partial class ImportDirectionTests
{
    /// <summary>Bottom first; a folder may import only folders of a lower layer.</summary>
    private static readonly string[][] Layers =
    [
        ["Telemetry"],
        ["Events"],
        ["Providers"],
        ["OAuth", "Vault"],
        ["Tokens", "Webhooks"],
        ["Proxy"],
        ["Admin"],
        ["Portal"],
        ["Links"],
        ["Hosting"],
        ["Cli"],
    ];

    private static readonly Dictionary<string, int> LayerOf = Layers
        .SelectMany((folders, layer) => folders.Select(folder => (folder, layer)))
        .ToDictionary(f => f.folder, f => f.layer, StringComparer.Ordinal);

    public static string SourceRoot { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/TokenProxy"));

    [Fact]
    public void Every_folder_imports_only_folders_below_it()
    {
        var wrong = new List<string>();
        foreach (var (file, folder, imported) in Imports(SourceRoot))
        {
            if (!LayerOf.TryGetValue(folder, out var layer))
            {
                wrong.Add($"{file}: the folder {folder} has no place in the layers; add it to docs/architecture.md, §3 and to this test.");
            }
            else if (imported != folder && (!LayerOf.TryGetValue(imported, out var importedLayer) || importedLayer >= layer))
            {
                wrong.Add($"{file}: {folder} imports {imported}");
            }
        }

        Assert.True(wrong.Count == 0, "Imports against the direction Cli → Hosting → Links → Portal → Admin → Proxy → (Tokens, Webhooks) → (OAuth, Vault) → Providers → Events → Telemetry:\n  "
            + string.Join("\n  ", wrong));
    }

    [Fact]
    public void Every_folder_of_the_source_has_a_layer()
    {
        var folders = Directory.GetDirectories(SourceRoot)
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj" or "Properties") && Directory.EnumerateFiles(Path.Combine(SourceRoot, name!), "*.cs", SearchOption.AllDirectories).Any());

        Assert.All(folders, folder => Assert.True(LayerOf.ContainsKey(folder!), $"{folder} has no layer"));
    }

    /// <summary>Each reference from a file in a folder to a TokenProxy folder, with the file relative to the source root.</summary>
    internal static IEnumerable<(string File, string Folder, string Imported)> Imports(string root)
    {
        // Razor components import with "@using TokenProxy.X" lines.
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(p => p.EndsWith(".cs", StringComparison.Ordinal) || p.EndsWith(".razor", StringComparison.Ordinal)))
        {
            var file = Path.GetRelativePath(root, path).Replace('\\', '/');
            var segments = file.Split('/');
            if (segments.Length < 2 || segments[0] is "bin" or "obj")
            {
                // Program.cs, at the root, is the entry point: it may call anything.
                continue;
            }

            foreach (var line in File.ReadLines(path))
            {
                var code = StringLiteral().Replace(line, "\"\"");
                if (code.TrimStart().StartsWith("namespace ", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match match in Reference().Matches(code))
                {
                    yield return (file, segments[0], match.Groups["folder"].Value);
                }
            }
        }
    }

    // using TokenProxy.X; using static TokenProxy.X.Y; global using A = TokenProxy.X.Y; TokenProxy.X.Y in code;
    // X.Y from within the TokenProxy namespace, where a folder's name alone resolves (not after a '.', not a member).
    [GeneratedRegex(@"(?:\bTokenProxy\.|(?<![\w.])(?=(?:Admin|Cli|Events|Hosting|OAuth|Providers|Proxy|Telemetry|Tokens|Vault)\.[A-Z]))(?<folder>[A-Z][A-Za-z]+)\b(?!\s*[(=])")]
    private static partial Regex Reference();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();
}
