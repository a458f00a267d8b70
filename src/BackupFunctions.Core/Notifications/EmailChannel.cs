namespace BackupFunctions.Core.Notifications;

/// <summary>E-mail recipients of a config's events; the server and sender are app settings (<see cref="SmtpOptions"/>).</summary>
public sealed record EmailChannel
{
    /// <summary>Plain addresses (<c>ops@example.com</c>), 1 to <see cref="NotificationConfigValidator.MaxRecipients"/>.</summary>
    public IReadOnlyList<string> To { get; init; } = [];
}
