namespace BackupFunctions.Core.Notifications;

/// <summary>How the app sends notifications (settings section <c>Notifications</c>); checked at start-up by <see cref="NotificationOptionsValidator"/>.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>
    /// The app's public address (<c>https://backups.example.com</c>), for the API links in events; empty: the links
    /// are paths (<c>/api/backup-jobs/…</c>).
    /// </summary>
    public string ApiBaseUrl { get; set; } = "";

    public WebhookOptions Webhooks { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();
}
