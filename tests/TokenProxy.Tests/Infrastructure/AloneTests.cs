namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// Tests that must not share the process with others running at the same moment. The full-disk test is one: every other
/// test's clean-up calls <c>SqliteConnection.ClearAllPools()</c>, which closes the pooled connections of every store in
/// the process; once the last connection to a WAL database closes, SQLite removes its <c>-wal</c> and <c>-shm</c> files,
/// and recreating them on the full disk fails the next read. That test is about a full disk, not about another test closing
/// its store's connections under it.
/// </summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public sealed class AloneTests
{
    public const string Collection = "Alone";
}
