namespace BackupFunctions.Core.Verification;

/// <summary>Verifications of a backup's copies, to be written into its catalog row.</summary>
public sealed record VerificationUpdate(string BackupId, IReadOnlyList<CopyVerification> Copies);
