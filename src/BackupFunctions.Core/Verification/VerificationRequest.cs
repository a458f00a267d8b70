namespace BackupFunctions.Core.Verification;

/// <summary>Verify copies of a backup (the input of the verification orchestration).</summary>
/// <param name="Level"><see cref="QuickVerifier.Level"/> or <see cref="DeepVerifier.Level"/>.</param>
/// <param name="Copies">The copies' indexes (0 primary, 1… replicas); null for every copy that exists.</param>
public sealed record VerificationRequest(string BackupId, string Level, IReadOnlyList<int>? Copies)
{
    /// <summary>The orchestration's instance id: one verification per backup at a time.</summary>
    public static string InstanceIdFor(string backupId) => $"verify-{backupId}";

    public static bool IsLevel(string? level) => level is QuickVerifier.Level or DeepVerifier.Level;
}
