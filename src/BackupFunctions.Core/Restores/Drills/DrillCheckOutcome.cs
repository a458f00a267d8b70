namespace BackupFunctions.Core.Restores.Drills;

/// <summary>How one check fared in a drill (<see cref="DrillCheckComparison"/>).</summary>
/// <param name="Name">The check's name.</param>
/// <param name="Result"><c>passed</c>, <c>failed</c>, or — neither failing the drill — <c>not_recorded</c> (the backup predates the check) or <c>changed</c> (its query changed since the backup).</param>
/// <param name="Detail">Why it failed or was not compared; null when it passed.</param>
/// <param name="Rows">Rows the query answered on the scratch database.</param>
/// <param name="RecordedRows">Rows it answered on the live database at backup time.</param>
public sealed record DrillCheckOutcome(string Name, string Result, string? Detail, long? Rows, long? RecordedRows)
{
    public const string Passed = "passed";
    public const string Failed = "failed";
    public const string NotRecorded = "not_recorded";
    public const string Changed = "changed";
}
