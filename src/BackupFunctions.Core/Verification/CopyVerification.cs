namespace BackupFunctions.Core.Verification;

/// <summary>How the verification of copy <paramref name="Index"/> went.</summary>
public sealed record CopyVerification(int Index, VerificationResult Result);
