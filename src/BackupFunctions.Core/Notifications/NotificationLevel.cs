namespace BackupFunctions.Core.Notifications;

/// <summary>Which of a config's flags (onSuccess, onWarning, onFailure) lets an event through.</summary>
public enum NotificationLevel
{
    Success,
    Warning,
    Failure,
}
