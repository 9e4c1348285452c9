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
        // Workspaces and end users. A workspace named on an earlier import becomes a workspace of that name, so its
        // connections and the client keys limited to it keep working; every other connection stays in none. A label is
        // now unique per provider, workspace and end user: SQLite cannot drop the old UNIQUE (provider, label), so the
        // table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter) with every row as it was.
        """
        CREATE TABLE workspaces (
          id TEXT PRIMARY KEY,
          display_name TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        INSERT INTO workspaces (id, display_name, created_at)
          SELECT workspace, workspace, MIN(created_at) FROM connections WHERE workspace IS NOT NULL GROUP BY workspace;
        CREATE TABLE connections_scoped (
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
          last_refresh_reason TEXT,
          parameters TEXT,
          credential_kind TEXT NOT NULL DEFAULT 'oauth2',
          refresh_token_expires_at INTEGER,
          end_user_id TEXT,
          end_user_display_name TEXT,
          end_user_email TEXT,
          origin TEXT NOT NULL DEFAULT 'operator'
        );
        INSERT INTO connections_scoped (
          id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, access_token,
          refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, last_error_at, metadata,
          created_at, updated_at, version, last_refresh_reason, parameters, credential_kind, refresh_token_expires_at)
        SELECT
          id, provider, label, workspace, status, account_id, account_email, account_name, scopes, token_type, access_token,
          refresh_token, expires_at, last_refreshed_at, last_error_code, last_error_description, last_error_at, metadata,
          created_at, updated_at, version, last_refresh_reason, parameters, credential_kind, refresh_token_expires_at
        FROM connections;
        DROP TABLE connections;
        ALTER TABLE connections_scoped RENAME TO connections;
        CREATE UNIQUE INDEX connections_label ON connections (provider, coalesce(workspace, ''), coalesce(end_user_id, ''), label);
        """,
        // Connect requests: a link's token is stored as its SHA-256 only; a started authorization names the request it
        // answers (docs/architecture.md §9).
        """
        CREATE TABLE connect_requests (
          id TEXT PRIMARY KEY,
          token_hash TEXT NOT NULL UNIQUE,
          workspace TEXT NOT NULL,
          provider TEXT NOT NULL,
          label TEXT,
          scopes TEXT,
          end_user_id TEXT,
          end_user_display_name TEXT,
          end_user_email TEXT,
          parameters TEXT,
          connection_id TEXT,
          message TEXT,
          status TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          completed_at INTEGER,
          cancelled_at INTEGER,
          result_connection_id TEXT
        );
        CREATE INDEX connect_requests_workspace ON connect_requests (workspace, created_at);
        ALTER TABLE pending_authorizations ADD COLUMN connect_request_id TEXT;
        """,
        // Portal links and sessions (docs/architecture.md §10): only SHA-256 hashes of the values browsers hold.
        """
        CREATE TABLE portal_links (
          token_hash TEXT PRIMARY KEY,
          workspace TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX portal_links_workspace ON portal_links (workspace);
        CREATE TABLE portal_sessions (
          id TEXT PRIMARY KEY,
          workspace TEXT NOT NULL,
          token_hash TEXT NOT NULL UNIQUE,
          previous_hash TEXT,
          previous_valid_until INTEGER,
          created_at INTEGER NOT NULL,
          rotated_at INTEGER NOT NULL,
          idle_expires_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX portal_sessions_previous ON portal_sessions (previous_hash);
        CREATE INDEX portal_sessions_workspace ON portal_sessions (workspace);
        """,
        // The event log (docs/architecture.md §11). One writer at a time: AUTOINCREMENT numbers events in commit order and
        // never reuses a number, even after the newest events were pruned. once_key makes an event that must be told once
        // (a token about to lapse) a constraint rather than a check. Indexes for the API's filters, newest first, and for
        // retention.
        """
        CREATE TABLE events (
          sequence INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          type TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          workspace TEXT,
          end_user TEXT,
          connection_id TEXT,
          provider TEXT,
          actor TEXT NOT NULL,
          data TEXT NOT NULL,
          once_key TEXT UNIQUE
        );
        CREATE INDEX events_created_at ON events (created_at);
        CREATE INDEX events_connection ON events (connection_id, sequence);
        CREATE INDEX events_workspace ON events (workspace, sequence);
        CREATE INDEX events_type ON events (type, sequence);
        """,
        // A refresh in flight (docs/architecture.md §5): set before the refresh token is sent, cleared with its answer.
        """
        ALTER TABLE connections ADD COLUMN refresh_attempt_id TEXT;
        ALTER TABLE connections ADD COLUMN refresh_attempt_at INTEGER;
        """,
        // Webhooks and their durable outbox (docs/architecture.md §12): a webhook's cursor is the last event fanned out to it;
        // a delivery carries its body, so pruning events loses none. Partial indexes: the due pending deliveries, and the
        // oldest pending one per webhook and ordering key (a connection's events go out in order).
        """
        CREATE TABLE webhooks (
          name TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          secret TEXT NOT NULL,
          events TEXT NOT NULL,
          workspace TEXT,
          origin TEXT NOT NULL,
          last_sequence INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          webhook TEXT NOT NULL,
          event_id TEXT NOT NULL,
          event_type TEXT NOT NULL,
          ordering_key TEXT NOT NULL,
          payload TEXT NOT NULL,
          status TEXT NOT NULL,
          attempts INTEGER NOT NULL,
          next_attempt_at INTEGER NOT NULL,
          claimed_by TEXT,
          claimed_until INTEGER,
          last_status INTEGER,
          last_error TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (webhook, event_id);
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook, ordering_key, id) WHERE status = 'pending';
        """,
        // Scopes the API said an operation needs and the token lacks (RFC 6750 §3.1), space-joined; none for every row before.
        """
        ALTER TABLE connections ADD COLUMN required_scopes TEXT NOT NULL DEFAULT '';
        """,
        // Providers written through the admin API (docs/architecture.md §13): their JSON without secrets, the client secrets
        // sealed, a version for compare-and-swap.
        """
        CREATE TABLE providers (
          name TEXT PRIMARY KEY,
          definition TEXT NOT NULL,
          client_secrets TEXT,
          version INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
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
