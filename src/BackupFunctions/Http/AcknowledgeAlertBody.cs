namespace BackupFunctions.Http;

/// <summary>The optional body of <c>POST /api/backup-alerts/{id}/acknowledge</c>.</summary>
public sealed record AcknowledgeAlertBody
{
    /// <summary>Who is on it (free text, at most 200 characters).</summary>
    public string? By { get; init; }

    /// <summary>What they are doing about it (at most 2000 characters).</summary>
    public string? Note { get; init; }
}
