using Microsoft.Extensions.Options;

namespace TokenProxy.Vault;

/// <summary>The <c>TokenProxy:Store</c> checks: a known kind, and for PostgreSQL usable connection strings.</summary>
internal sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var errors = new List<string>();
        Validate(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Validate(StoreOptions store, List<string> errors)
    {
        if (!store.IsSqlite && !store.IsPostgres)
        {
            errors.Add($"{StoreOptions.SectionName}:Kind: '{store.Kind}' is not supported; use {StoreOptions.Sqlite} or {StoreOptions.Postgres}.");
            return;
        }

        if (!store.IsPostgres)
        {
            return;
        }

        if (store.MaxStaleness < TimeSpan.Zero || store.MaxStaleness > TimeSpan.FromDays(1))
        {
            errors.Add($"{StoreOptions.SectionName}:MaxStaleness: {store.MaxStaleness} must be between 00:00:00 and 1.00:00:00.");
        }

        if (string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            errors.Add($"{StoreOptions.SectionName}:ConnectionString: required with Kind Postgres (for example: Host=db;Database=tokenproxy;Username=tokenproxy;Password=…).");
        }

        foreach (var (key, value) in new[] { ("ConnectionString", store.ConnectionString), ("ListenConnectionString", store.ListenConnectionString) })
        {
            try
            {
                _ = value is null ? null : new Npgsql.NpgsqlConnectionStringBuilder(value);
            }
            catch (ArgumentException e)
            {
                // The message names the bad keyword; it never echoes the string, which may hold a password.
                errors.Add($"{StoreOptions.SectionName}:{key}: not a valid PostgreSQL connection string ({e.Message}).");
            }
        }
    }
}
