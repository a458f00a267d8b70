namespace BackupFunctions.Core.Notifications;

/// <summary>How one channel fared with one event. <see cref="Target"/> names it without secrets (a URL's scheme, host and port only).</summary>
public sealed record NotificationDelivery(string Channel, string Target, bool Delivered, int Attempts, string? Error)
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}
