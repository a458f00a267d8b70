namespace BackupFunctions.Core.Backups;

/// <summary>Quick verification of one copy (0 primary, 1… replicas) against the manifest as written.</summary>
public sealed record VerifyInput(BackupPlan Plan, int Index, string ManifestSha256);
