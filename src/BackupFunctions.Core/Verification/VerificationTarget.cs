namespace BackupFunctions.Core.Verification;

/// <summary>One copy of one backup to verify: <paramref name="Index"/> 0 is the primary, 1… the replicas.</summary>
public sealed record VerificationTarget(string BackupId, int Index);
