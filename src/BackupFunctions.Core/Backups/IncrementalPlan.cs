using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What an incremental backup's planning found (goes through orchestration history: counts and the references, never
/// entries): the base, the backups and volumes the unchanged files point at, and the working object
/// (<see cref="ObjectNames.UnchangedEntries"/>) with those files' index entries, appended to the index after the volumes'.
/// </summary>
public sealed record IncrementalPlan(
    string BaseBackupId,
    IReadOnlyList<BackupReference> References,
    StoredPart UnchangedEntries,
    long Added,
    long Modified,
    long Unchanged,
    long UnchangedBytes,
    long Deleted);
