namespace BackupFunctions.Core.Backups;

/// <summary>Everything the manifest lists, gathered from the part steps. <c>Key</c> is null for encryption <c>none</c>.</summary>
public sealed record ManifestInput(BackupPlan Plan, PreparedKey? Key, DatabasePartResult? Database, FilesPartResult? Files);
