using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Restore one backup from a destination. Either target may be left out to restore only the other.
/// </summary>
/// <param name="Store">The destination holding the backup.</param>
/// <param name="BackupFolder">The backup's folder in the destination, e.g. <c>site1/backups/0123-cfg/</c>.</param>
/// <param name="TargetDirectory">A folder that does not exist or is empty; the site files land there.</param>
/// <param name="TargetDatabase">A database that does not exist yet; it is created.</param>
public sealed record RestoreRequest(IBackupStore Store, string BackupFolder, string? TargetDirectory, PostgresConnectionInfo? TargetDatabase);
