namespace BackupFunctions.Core.Sources;

/// <summary>Where the PostgreSQL client tools are (settings section <c>Postgres</c>).</summary>
public sealed class PostgresToolsOptions
{
    public const string SectionName = "Postgres";

    /// <summary>Folder with pg_dump and pg_restore; empty means search PATH.</summary>
    public string BinDirectory { get; set; } = "";
}
