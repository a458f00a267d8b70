namespace BackupFunctions.Http;

/// <summary>The answer to <c>POST /api/backups</c> (202): the job that runs the backup; follow it at its Location.</summary>
public sealed record BackupStarted(string JobId);
