namespace BackupFunctions.Core.Backups;

/// <summary>What the catalog records once the manifest is committed.</summary>
public sealed record RecordInput(BackupPlan Plan, ManifestResult Manifest);
