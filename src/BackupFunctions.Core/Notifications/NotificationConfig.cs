namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Who hears about a config's runs, and about which outcomes (a config's <c>notifications</c>):
/// <code>
/// "notifications": {
///   "onSuccess": false, "onFailure": true, "onWarning": true,
///   "webhooks": [ { "url": "https://hooks.example.com/backup", "secret": { "setting": "BackupSecrets__BLOG_WEBHOOK_SECRET" } } ],
///   "email": { "to": [ "ops@example.com" ] }
/// }
/// </code>
/// Every channel gets every event the flags let through. See <see cref="NotificationConfigValidator"/> for the rules.
/// </summary>
public sealed record NotificationConfig
{
    /// <summary>Tell about runs that completed cleanly.</summary>
    public bool OnSuccess { get; init; }

    /// <summary>Tell about runs that failed (or were cancelled), and about critical and high alerts.</summary>
    public bool OnFailure { get; init; } = true;

    /// <summary>Tell about runs that completed with warnings (a replica or a verification failed), and about medium and low alerts.</summary>
    public bool OnWarning { get; init; } = true;

    /// <summary>HTTP endpoints that get each event as a signed JSON POST.</summary>
    public IReadOnlyList<WebhookChannel> Webhooks { get; init; } = [];

    /// <summary>Addresses that get each event as a plain-text e-mail (through the app's SMTP server); null: no e-mail.</summary>
    public EmailChannel? Email { get; init; }

    /// <summary>Whether an event of this kind goes out at all.</summary>
    public bool Wants(NotificationLevel level) => level switch
    {
        NotificationLevel.Success => OnSuccess,
        NotificationLevel.Warning => OnWarning,
        NotificationLevel.Failure => OnFailure,
        _ => false,
    };
}
