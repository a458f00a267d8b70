namespace BackupFunctions.Http;

/// <summary>The (optional) body of <c>POST /api/backup-configs/{id}/cleanup</c>.</summary>
public sealed record CleanupBody
{
    /// <summary>True (the default, so that a bare call never deletes anything): only show the plan. False: apply it.</summary>
    public bool DryRun { get; init; } = true;
}
