using BackupFunctions.Core.Notifications;

namespace BackupFunctions.Http;

/// <summary>A config's notifications as the API shows them: no secret, sealed or not; URLs without their query string.</summary>
public sealed record NotificationConfigView(
    bool OnSuccess,
    bool OnFailure,
    bool OnWarning,
    IReadOnlyList<WebhookView> Webhooks,
    EmailChannel? Email)
{
    public static NotificationConfigView? From(NotificationConfig? config) => config is null
        ? null
        : new NotificationConfigView(config.OnSuccess, config.OnFailure, config.OnWarning,
            [.. config.Webhooks.Select(w => new WebhookView(NotificationSetup.ShownUrl(w.Url), NotificationSetup.IsSigned(w), NotificationSetup.SecretSetting(w)))],
            config.Email);
}
