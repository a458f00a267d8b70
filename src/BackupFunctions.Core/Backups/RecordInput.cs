namespace BackupFunctions.Core.Backups;

/// <summary>What the catalog records once the manifest is committed: the manifest and what became of each copy.</summary>
public sealed record RecordInput(BackupPlan Plan, ManifestResult Manifest, IReadOnlyList<CopyOutcome> Copies);
