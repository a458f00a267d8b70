namespace BackupFunctions.Core.Health;

/// <summary>A config's newest successful backup: its id and when its run finished.</summary>
public sealed record LastSuccessfulBackup(string BackupId, DateTimeOffset CompletedAt);
