using TokenProxy.Tests.Infrastructure;

namespace TokenProxy.Tests.Hosting;

/// <summary>
/// The startup problem list is one problem a line: a configured name holding a line break (here a header name in a JSON
/// file, "X-Bad\r\nName") is shown escaped, so that it cannot split its problem or forge another.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProblemListLineTests : IDisposable
{
    private readonly string _directory = ProxyHost.NewDataDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_header_name_with_a_line_break_is_listed_on_one_line()
    {
        var run = await ProxyCommand.RunAsync(
        [
            "--urls=http://127.0.0.1:0", .. ProxyCommand.Isolated(_directory),
            "--TokenProxy:Providers:acme:ApiBaseUrl=https://api.acme.example",
            "--TokenProxy:Providers:acme:Auth:0=ApiKey",
            "--TokenProxy:Providers:acme:ApiKey:Header=X-Api-Key",
            "--TokenProxy:Providers:acme:Headers:X-Bad\r\n  - forged problem=v",
        ]);

        Assert.Equal(2, run.Code);
        // Today the name is printed raw: its problem is cut in two and a second "  - " line appears.
        var problems = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1..];
        Assert.All(problems, line => Assert.StartsWith("  - TokenProxy:", line, StringComparison.Ordinal));
    }
}
