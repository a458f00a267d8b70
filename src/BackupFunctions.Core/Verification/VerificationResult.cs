namespace BackupFunctions.Core.Verification;

/// <summary>What a verification of one copy of a backup found.</summary>
/// <param name="Level"><c>quick</c> (stored sizes and SHA-256) or <c>deep</c> (every byte decrypted, decompressed and parsed).</param>
/// <param name="Problems">One line per object that failed; empty when <paramref name="Ok"/>.</param>
public sealed record VerificationResult(
    string Level, bool Ok, int Objects, long Bytes, IReadOnlyList<string> Problems, DateTimeOffset VerifiedAt, double Seconds);
