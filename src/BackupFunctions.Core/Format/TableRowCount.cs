namespace BackupFunctions.Core.Format;

/// <summary>Rows in one table at dump time (schema-qualified name).</summary>
public sealed record TableRowCount(string Table, long Rows);
