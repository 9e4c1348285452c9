using Microsoft.Data.Sqlite;

namespace TokenProxy.Vault.Sqlite;

internal sealed partial class SqliteConnectionStore
{
    // Each entry moves the schema one version forward; PRAGMA user_version records how far a file got.
    // Append only: a released migration is never edited.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE connections (
          id TEXT PRIMARY KEY,
          provider TEXT NOT NULL,
          label TEXT NOT NULL,
          workspace TEXT,
          status TEXT NOT NULL,
          account_id TEXT,
          account_email TEXT,
          account_name TEXT,
          scopes TEXT NOT NULL DEFAULT '',
          token_type TEXT,
          access_token TEXT,
          refresh_token TEXT,
          expires_at INTEGER,
          last_refreshed_at INTEGER,
          last_error_code TEXT,
          last_error_description TEXT,
          last_error_at INTEGER,
          metadata TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          version INTEGER NOT NULL,
          UNIQUE (provider, label)
        );
        """,
        """
        CREATE TABLE pending_authorizations (
          state_hash TEXT PRIMARY KEY,
          provider TEXT NOT NULL,
          connection_id TEXT NOT NULL,
          label TEXT NOT NULL,
          scopes TEXT NOT NULL,
          redirect_uri TEXT NOT NULL,
          issuer TEXT,
          iss_supported INTEGER NOT NULL,
          browser_hash TEXT NOT NULL,
          code_verifier TEXT,
          created_connection INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        """,
        """
        ALTER TABLE connections ADD COLUMN last_refresh_reason text;
        """,
        """
        ALTER TABLE connections ADD COLUMN parameters text;
        """,
        // Rows from before credential kinds: tokens from a connect (it records when they were obtained) or imported with a
        // refresh token are OAuth2; an imported token without one is a plain bearer token, never refreshed.
        """
        ALTER TABLE connections ADD COLUMN credential_kind text NOT NULL DEFAULT 'oauth2';
        UPDATE connections SET credential_kind = 'bearer'
          WHERE refresh_token IS NULL AND last_refreshed_at IS NULL AND status <> 'pending';
        """,
        // Rows from before refresh-token lifetimes: unknown (NULL) until their next connect or refresh.
        """
        ALTER TABLE connections ADD COLUMN refresh_token_expires_at integer;
        """,
        // A connect carries the values the person gave, and a discovery pick waits with its sealed tokens (docs/architecture.md §8).
        """
        ALTER TABLE pending_authorizations ADD COLUMN parameters text;
        ALTER TABLE pending_authorizations ADD COLUMN pick text;
        """,
    ];

    private static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new VaultStartupException(
                $"The database schema is version {current}, newer than this TokenProxy understands ({Migrations.Length}). Run a newer TokenProxy.");
        }

        for (var version = current; version < Migrations.Length; version++)
        {
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = Migrations[version] + $"PRAGMA user_version = {version + 1};";
            await migrate.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
