using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Backups;

/// <summary>What happened to one copy of a backup: written (or why not) and how its verification went.</summary>
/// <param name="Index">0 for the primary, 1… for the config's replicas.</param>
/// <param name="Error">Why the copy could not be made; null when it was.</param>
public sealed record CopyOutcome(int Index, string? Error, VerificationResult? Verification);
