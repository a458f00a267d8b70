using BackupFunctions.Core.Retention;

namespace BackupFunctions.Http;

/// <summary>
/// The answer to <c>POST /api/backup-configs/{id}/cleanup</c> with <c>dryRun: false</c> (202): the plan as it stands
/// and where to follow the cleanup (<see cref="Follow"/>, also the Location).
/// </summary>
public sealed record CleanupStarted(string Status, string Follow, RetentionReport Plan);
