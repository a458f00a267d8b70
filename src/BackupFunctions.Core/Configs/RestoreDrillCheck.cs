namespace BackupFunctions.Core.Configs;

/// <summary>
/// One drill check: a single read-only SQL query (e.g. <c>SELECT count(*) FROM posts WHERE published_at IS NOT NULL</c>)
/// whose answer at drill time must equal its answer at backup time (<see cref="Restores.Drills.DrillCheckRun"/>).
/// </summary>
public sealed record RestoreDrillCheck
{
    /// <summary>Identifies the check in the manifest and in results: see <see cref="RestoreDrillRules.NameProblem"/>.</summary>
    public required string Name { get; init; }

    public required string Sql { get; init; }
}
