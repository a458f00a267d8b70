namespace BackupFunctions.Http;

/// <summary>The body of <c>POST /api/backups</c>.</summary>
public sealed record StartBackupBody
{
    public required string ConfigId { get; init; }
}
