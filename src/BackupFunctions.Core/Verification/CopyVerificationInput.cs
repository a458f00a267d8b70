namespace BackupFunctions.Core.Verification;

/// <summary>Verify copy <paramref name="Index"/> of a catalogued backup at <paramref name="Level"/> (quick or deep).</summary>
public sealed record CopyVerificationInput(string BackupId, int Index, string Level);
