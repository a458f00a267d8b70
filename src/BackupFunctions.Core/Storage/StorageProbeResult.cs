namespace BackupFunctions.Core.Storage;

/// <summary>A connection test of a storage location: the steps run (it stops at the first failure) and when.</summary>
public sealed record StorageProbeResult(bool Ok, DateTimeOffset TestedAt, IReadOnlyList<StorageProbeStep> Steps)
{
    /// <summary>The step that failed, or null.</summary>
    public StorageProbeStep? FailedStep => Steps.FirstOrDefault(s => !s.Ok);
}
