using BackupFunctions.Core.Sources;

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

    /// <summary>A connection to <paramref name="database"/> as the superuser of the throwaway cluster (trust auth).</summary>
    public static PostgresConnectionInfo Postgres(string database = "postgres") => new(PostgresHost, PostgresPort, database, "postgres");

    /// <summary>Folder with pg_dump/pg_restore; empty means PATH.</summary>
    public static string PostgresBinDirectory =>
        Environment.GetEnvironmentVariable("BF_TEST_PG_BIN") is { Length: > 0 } b ? b
        : Directory.Exists("/usr/lib/postgresql/15/bin") ? "/usr/lib/postgresql/15/bin" : "";

    /// <summary>A unique, lowercase name for tables, containers and databases of one test.</summary>
    public static string UniqueName(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 12, prefix.Length + 32)];
}
