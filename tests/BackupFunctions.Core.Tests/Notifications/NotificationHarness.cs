using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>The notification services as the app composes them (AddBackupNotifications), on settings of a test.</summary>
public static class NotificationHarness
{
    public static readonly string SealingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Fast retries, the SMTP sink with its certificate pinned and the test user.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Notifications:ApiBaseUrl"] = "https://backups.example.test",
        ["Notifications:Webhooks:TimeoutSeconds"] = "5",
        ["Notifications:Webhooks:Retries"] = "3",
        ["Notifications:Webhooks:RetryDelaySeconds"] = "0.05",
        ["Notifications:Smtp:Host"] = SmtpSink.Host,
        ["Notifications:Smtp:Port"] = SmtpSink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Notifications:Smtp:Security"] = "StartTls",
        ["Notifications:Smtp:From"] = "backups@example.test",
        ["Notifications:Smtp:Username"] = SmtpSink.User,
        ["Notifications:Smtp:PasswordSetting"] = "SMTP_PASSWORD",
        ["SMTP_PASSWORD"] = SmtpSink.Password,
        ["Notifications:Smtp:CertificateSha256"] = SmtpSink.CertificateSha256,
        ["Notifications:Smtp:TimeoutSeconds"] = "10",
        ["Notifications:Smtp:Retries"] = "1",
        ["Notifications:Smtp:RetryDelaySeconds"] = "0.05",
        // The webhook receivers of the tests listen on loopback.
        ["Network:AllowedRanges"] = "127.0.0.0/8",
    };

    public static ServiceProvider Build(IDictionary<string, string?> settings, BackupCatalog? catalog = null, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(new SecretSealer(SealingKey, new SecretReferences(configuration)));
        if (catalog is not null)
            services.AddSingleton(catalog);
        services.AddBackupNotifications(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>An event as the notifier makes it for a failed job.</summary>
    public static BackupNotification FailedJob(string configName = "blog") => new()
    {
        Id = "job-1:backup.failed",
        Event = NotificationEvents.BackupFailed,
        Level = NotificationLevel.Failure,
        OccurredAt = DateTimeOffset.Parse("2026-02-01T08:01:00Z", System.Globalization.CultureInfo.InvariantCulture),
        ConfigId = "cfg-1",
        ConfigName = configName,
        JobId = "job-1",
        Status = "failed",
        Trigger = "manual",
        Error = "DumpDatabase failed: connection refused",
        StartedAt = DateTimeOffset.Parse("2026-02-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        CompletedAt = DateTimeOffset.Parse("2026-02-01T08:01:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DurationSeconds = 60,
        Links = new NotificationLinks { Job = "https://backups.example.test/api/backup-jobs/job-1" },
    };
}
