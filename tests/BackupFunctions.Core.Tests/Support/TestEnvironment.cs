using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// Where the real servers of the test run are. test.sh (scripts/services.sh) starts them on 127.0.0.1 and exports these
/// variables; the defaults match the scripts' default ports, so a developer who started the servers by hand
/// can run a single test from the IDE.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Azurite (Blob, Queue, Table).</summary>
    public static string AzuriteConnectionString =>
        Environment.GetEnvironmentVariable("BF_TEST_AZURITE") is { Length: > 0 } s
            ? s
            : "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

    public static string PostgresHost => Environment.GetEnvironmentVariable("BF_TEST_PG_HOST") is { Length: > 0 } h ? h : "127.0.0.1";

    public static int PostgresPort => int.TryParse(Environment.GetEnvironmentVariable("BF_TEST_PG_PORT"), out var p) ? p : 55432;

    /// <summary>
    /// The throwaway CA that issued the test server's certificate (scripts/services.sh). Every connection of the
    /// suite verifies against it (verify-full, the default), so the default path is the one the tests exercise.
    /// </summary>
    public static string PostgresRootCert => Environment.GetEnvironmentVariable("BF_TEST_PG_ROOT_CERT") is { Length: > 0 } c
        ? c
        : throw new InvalidOperationException("BF_TEST_PG_ROOT_CERT is not set: start PostgreSQL with scripts/services.sh (bf_start_postgres), which issues its TLS certificate.");

    /// <summary>
    /// A connection to <paramref name="database"/> as the superuser of the throwaway cluster (trust auth), over TLS
    /// verified against <see cref="PostgresRootCert"/>.
    /// </summary>
    public static PostgresConnectionInfo Postgres(string database = "postgres") =>
        new(PostgresHost, PostgresPort, database, "postgres") { SslMode = PostgresSslMode.VerifyFull, SslRootCertFile = PostgresRootCert };

    /// <summary>A superuser the test server lets in over TLS only (pg_hba <c>hostnossl … reject</c>, scripts/services.sh).</summary>
    public const string PostgresTlsOnlyUser = "bf_tls_only";

    /// <summary>An Npgsql connection string for <paramref name="db"/> (test code's own connections): unpooled, TLS verified the same way.</summary>
    public static string NpgsqlConnectionString(PostgresConnectionInfo db) => new NpgsqlConnectionStringBuilder
    {
        Host = db.Host,
        Port = db.Port,
        Database = db.Database,
        Username = db.Username,
        Pooling = false,
        SslMode = SslMode.VerifyFull,
        RootCertificate = PostgresRootCert,
    }.ConnectionString;

    /// <summary>Folder with pg_dump/pg_restore; empty means PATH.</summary>
    public static string PostgresBinDirectory =>
        Environment.GetEnvironmentVariable("BF_TEST_PG_BIN") is { Length: > 0 } b ? b
        : Directory.Exists("/usr/lib/postgresql/15/bin") ? "/usr/lib/postgresql/15/bin" : "";

    /// <summary>A unique, lowercase name for tables, containers and databases of one test.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, prefix.Length + 32)];
}
