namespace BackupCli.Commands;

/// <summary>backupctl backup --type incremental: how often a full one comes, and how files are compared.</summary>
internal sealed record IncrementalRequest(int FullEvery, bool CompareHash);
