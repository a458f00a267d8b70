namespace BackupFunctions.Core.Format;

/// <summary>What the database dump came from, so a restore can be checked against it.</summary>
public sealed record DatabaseSourceInfo
{
    public required string Database { get; init; }
    public required string ServerVersion { get; init; }
    public required IReadOnlyList<TableRowCount> Tables { get; init; }
}
