using System.Globalization;
using Npgsql;

namespace TokenProxy.Vault.Postgres;

internal sealed partial class PostgresConnectionStore
{
    // Advisory lock key spaces (the first int of pg_advisory_xact_lock(int, int)): 'TPsm' for the schema
    // migration, 'TPrf' for refreshes. The two-int keys never collide with anyone's one-bigint keys.
    private const int MigrationLockSpace = 0x5450736D;
    private const int RefreshLockSpace = 0x54507266;

    // The same logical schema as SQLite's, in PostgreSQL types: times are timestamptz, flags boolean.
    // Each entry moves the schema one version forward; schema_version records how far a database got.
    // Append only: a released migration is never edited.
    /// <summary>The schema version this build migrates to.</summary>
    internal static int SchemaVersion => Migrations.Length;

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE connections (
          id text PRIMARY KEY,
          provider text NOT NULL,
          label text NOT NULL,
          workspace text,
          status text NOT NULL,
          account_id text,
          account_email text,
          account_name text,
          scopes text NOT NULL DEFAULT '',
          token_type text,
          access_token text,
          refresh_token text,
          expires_at timestamptz,
          last_refreshed_at timestamptz,
          last_error_code text,
          last_error_description text,
          last_error_at timestamptz,
          metadata text,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          version bigint NOT NULL,
          UNIQUE (provider, label)
        );
        """,
        """
        CREATE TABLE pending_authorizations (
          state_hash text PRIMARY KEY,
          provider text NOT NULL,
          connection_id text NOT NULL,
          label text NOT NULL,
          scopes text NOT NULL,
          redirect_uri text NOT NULL,
          issuer text,
          iss_supported boolean NOT NULL,
          browser_hash text NOT NULL,
          code_verifier text,
          created_connection boolean NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL
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
        ALTER TABLE connections ADD COLUMN refresh_token_expires_at timestamptz;
        """,
        // A connect carries the values the person gave, and a discovery pick waits with its sealed tokens (docs/architecture.md §8).
        """
        ALTER TABLE pending_authorizations ADD COLUMN parameters text;
        ALTER TABLE pending_authorizations ADD COLUMN pick text;
        """,
        // Workspaces and end users. A workspace named on an earlier import becomes a workspace of that name, so its
        // connections and the client keys limited to it keep working; every other connection stays in none. A label is
        // now unique per provider, workspace and end user (none compared as '', as lookups do).
        """
        CREATE TABLE workspaces (
          id text PRIMARY KEY,
          display_name text NOT NULL,
          created_at timestamptz NOT NULL
        );
        INSERT INTO workspaces (id, display_name, created_at)
          SELECT workspace, workspace, min(created_at) FROM connections WHERE workspace IS NOT NULL GROUP BY workspace;
        ALTER TABLE connections
          ADD COLUMN end_user_id text,
          ADD COLUMN end_user_display_name text,
          ADD COLUMN end_user_email text,
          ADD COLUMN origin text NOT NULL DEFAULT 'operator',
          DROP CONSTRAINT connections_provider_label_key;
        CREATE UNIQUE INDEX connections_label ON connections (provider, coalesce(workspace, ''), coalesce(end_user_id, ''), label);
        """,
        // Connect requests: a link's token is stored as its SHA-256 only; a started authorization names the request it
        // answers (docs/architecture.md §9).
        """
        CREATE TABLE connect_requests (
          id text PRIMARY KEY,
          token_hash text NOT NULL UNIQUE,
          workspace text NOT NULL,
          provider text NOT NULL,
          label text,
          scopes text,
          end_user_id text,
          end_user_display_name text,
          end_user_email text,
          parameters text,
          connection_id text,
          message text,
          status text NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL,
          completed_at timestamptz,
          cancelled_at timestamptz,
          result_connection_id text
        );
        CREATE INDEX connect_requests_workspace ON connect_requests (workspace, created_at);
        ALTER TABLE pending_authorizations ADD COLUMN connect_request_id text;
        """,
        // Portal links and sessions (docs/architecture.md §10): only SHA-256 hashes of the values browsers hold.
        """
        CREATE TABLE portal_links (
          token_hash text PRIMARY KEY,
          workspace text NOT NULL,
          created_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL
        );
        CREATE INDEX portal_links_workspace ON portal_links (workspace);
        CREATE TABLE portal_sessions (
          id text PRIMARY KEY,
          workspace text NOT NULL,
          token_hash text NOT NULL UNIQUE,
          previous_hash text,
          previous_valid_until timestamptz,
          created_at timestamptz NOT NULL,
          rotated_at timestamptz NOT NULL,
          idle_expires_at timestamptz NOT NULL,
          expires_at timestamptz NOT NULL
        );
        CREATE INDEX portal_sessions_previous ON portal_sessions (previous_hash);
        CREATE INDEX portal_sessions_workspace ON portal_sessions (workspace);
        """,
        // The event log (docs/architecture.md §11). Sequences come from the one row of event_sequence, locked by the writing
        // statement until its transaction ends, so they become visible in the order they were given (an identity column's
        // would not). once_key makes an event that must be told once (a token about to lapse) a constraint rather than a
        // check. Indexes for the API's filters, newest first, and for retention.
        """
        CREATE TABLE events (
          sequence bigint PRIMARY KEY,
          id text NOT NULL UNIQUE,
          type text NOT NULL,
          created_at timestamptz NOT NULL,
          workspace text,
          end_user text,
          connection_id text,
          provider text,
          actor text NOT NULL,
          data text NOT NULL,
          once_key text UNIQUE
        );
        CREATE TABLE event_sequence (last bigint NOT NULL);
        INSERT INTO event_sequence (last) VALUES (0);
        CREATE INDEX events_created_at ON events (created_at);
        CREATE INDEX events_connection ON events (connection_id, sequence);
        CREATE INDEX events_workspace ON events (workspace, sequence);
        CREATE INDEX events_type ON events (type, sequence);
        """,
        // A refresh in flight (docs/architecture.md §5): set before the refresh token is sent, cleared with its answer.
        """
        ALTER TABLE connections ADD COLUMN refresh_attempt_id text;
        ALTER TABLE connections ADD COLUMN refresh_attempt_at timestamptz;
        """,
        // Webhooks and their durable outbox (docs/architecture.md §12); the identity numbers deliveries of one webhook in the order its fan-out (one at a time,
        // under the webhook's row lock) inserted them. A webhook's cursor is the last event fanned out to it;
        // a delivery carries its body, so pruning events loses none. Partial indexes: the due pending deliveries, and the
        // oldest pending one per webhook and ordering key (a connection's events go out in order).
        """
        CREATE TABLE webhooks (
          name text PRIMARY KEY,
          url text NOT NULL,
          secret text NOT NULL,
          events text NOT NULL,
          workspace text,
          origin text NOT NULL,
          last_sequence bigint NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        );
        CREATE TABLE webhook_deliveries (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          webhook text NOT NULL,
          event_id text NOT NULL,
          event_type text NOT NULL,
          ordering_key text NOT NULL,
          payload text NOT NULL,
          status text NOT NULL,
          attempts integer NOT NULL,
          next_attempt_at timestamptz NOT NULL,
          claimed_by text,
          claimed_until timestamptz,
          last_status integer,
          last_error text,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (webhook, event_id);
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook, ordering_key, id) WHERE status = 'pending';
        """,
        // Scopes the API said an operation needs and the token lacks (RFC 6750 §3.1), space-joined; none for every row before.
        """
        ALTER TABLE connections ADD COLUMN required_scopes text NOT NULL DEFAULT '';
        """,
        // Providers written through the admin API (docs/architecture.md §13): their JSON without secrets, the client secrets
        // sealed, a version for compare-and-swap.
        """
        CREATE TABLE providers (
          name text PRIMARY KEY,
          definition text NOT NULL,
          client_secrets text,
          version bigint NOT NULL,
          updated_at timestamptz NOT NULL
        );
        """,
        // The vault key ids each running instance holds (Vault/IKeyHolders), so that a rotation never re-seals rows under a
        // key one of them lacks; renewed while it runs, by the database's clock.
        """
        CREATE TABLE key_holders (
          instance text PRIMARY KEY,
          key_ids text NOT NULL,
          seen_at timestamptz NOT NULL
        );
        """,
    ];

    /// <summary>
    /// Creates or migrates the schema in one transaction that first takes a transaction-scoped advisory lock:
    /// instances starting together queue up, and each one after the first finds the work done. DDL is
    /// transactional in PostgreSQL, so a failed migration leaves nothing half-built.
    /// </summary>
    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync($"SELECT pg_advisory_xact_lock({MigrationLockSpace}, 0);");
        await ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
            INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
            """);

        await using var read = new NpgsqlCommand("SELECT version FROM schema_version;", connection, transaction);
        var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
        {
            throw new VaultStartupException(
                $"The database schema of {Description} is version {current}, newer than this TokenProxy understands ({Migrations.Length}). Run a newer TokenProxy.");
        }

        for (var version = current; version < Migrations.Length; version++)
        {
            await ExecuteAsync(Migrations[version] + $"UPDATE schema_version SET version = {version + 1};");
        }

        await transaction.CommitAsync(cancellationToken);
        if (current < Migrations.Length)
        {
            Log.SchemaMigrated(_logger, Description, current, Migrations.Length);
        }

        async Task ExecuteAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
