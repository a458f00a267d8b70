namespace BackupFunctions.Core.Restores;

/// <summary>One table of a <see cref="DatabasePreview"/>.</summary>
/// <param name="Table">Schema-qualified as the manifest names tables (<c>format('%I.%I')</c>).</param>
/// <param name="Action"><see cref="Create"/> (in the backup only), <see cref="Drop"/> (live only) or <see cref="Replace"/> (both).</param>
/// <param name="LiveRows">Rows now; null when the table is not live.</param>
/// <param name="LiveRowsEstimated">LiveRows is PostgreSQL's estimate (<c>pg_class.reltuples</c>), not a count: the table is large.</param>
/// <param name="BackupRows">Rows at dump time (manifest); null when the table is not in the backup.</param>
public sealed record TablePreview(string Table, string Action, long? LiveRows, bool LiveRowsEstimated, long? BackupRows)
{
    public const string Create = "create";
    public const string Drop = "drop";
    public const string Replace = "replace";
}
