namespace BackupFunctions.Core.Notifications;

/// <summary>The alert of an <c>alert.raised</c> event.</summary>
public sealed record NotificationAlert(string Id, string Type, string Severity, string Message);
