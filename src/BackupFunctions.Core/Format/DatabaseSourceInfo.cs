namespace BackupFunctions.Core.Format;

/// <summary>What the database dump came from, so a restore can be checked against it.</summary>
public sealed record DatabaseSourceInfo
{
    public required string Database { get; init; }
    public required string ServerVersion { get; init; }
    public required IReadOnlyList<TableRowCount> Tables { get; init; }

    /// <summary>
    /// The config's restore-drill checks as they answered on the live database, in the dump's snapshot. Optional: left
    /// out when the config has none, and absent from manifests written before drills existed.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RecordedDrillCheck>? Checks { get; init; }
}
