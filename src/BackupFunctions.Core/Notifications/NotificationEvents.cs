namespace BackupFunctions.Core.Notifications;

/// <summary>The <c>event</c> of a <see cref="BackupNotification"/>.</summary>
public static class NotificationEvents
{
    public const string BackupSucceeded = "backup.succeeded";
    public const string BackupCompletedWithWarnings = "backup.completed_with_warnings";
    public const string BackupFailed = "backup.failed";
    public const string BackupCancelled = "backup.cancelled";
    public const string AlertRaised = "alert.raised";

    // Restore jobs: the names for them (a cancelled restore, which changed nothing, is no event).
    public const string RestoreCompleted = "restore_completed";
    public const string RestoreFailed = "restore_failed";
    public const string RestoreRolledBack = "restore_rolled_back";
}
