namespace BackupFunctions.Core.Retention;

/// <summary>Apply the retention policy of a config; after a backup, <paramref name="JobId"/> is the job whose warnings get the failures.</summary>
public sealed record RetentionRequest(string ConfigId, string? JobId = null);
