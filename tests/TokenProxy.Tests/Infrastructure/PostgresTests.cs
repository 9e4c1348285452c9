namespace TokenProxy.Tests.Infrastructure;

/// <summary>The test classes that share one throwaway PostgreSQL cluster; xunit starts it once and stops it after the last of them.</summary>
[CollectionDefinition(Collection)]
public sealed class PostgresTests : ICollectionFixture<PostgresServer>
{
    public const string Collection = "PostgreSQL";
}
