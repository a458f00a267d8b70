namespace BackupFunctions.Core.Sources;

/// <summary>Where the PostgreSQL client tools are and which servers they trust (settings section <c>Postgres</c>).</summary>
public sealed class PostgresToolsOptions
{
    public const string SectionName = "Postgres";

    /// <summary>Folder with pg_dump and pg_restore; empty means search PATH.</summary>
    public string BinDirectory { get; set; } = "";

    /// <summary>
    /// PEM bundle of the certificate authorities a <c>verify-full</c> database connection trusts (Npgsql and
    /// pg_dump/pg_restore alike); empty means the system's CA bundle (<see cref="PostgresTrustedRoots.SystemBundle"/>).
    /// </summary>
    public string SslRootCertFile { get; set; } = "";
}
