namespace BackupFunctions.Core.Backups;

/// <summary>A failed run: the job and the error to show the user.</summary>
public sealed record FailureInput(string JobId, string Error, BackupPlan? Plan)
{
    /// <summary>The run stopped on request: the job becomes <c>cancelled</c> instead of <c>failed</c> (same cleanup).</summary>
    public bool Cancelled { get; init; }
}
