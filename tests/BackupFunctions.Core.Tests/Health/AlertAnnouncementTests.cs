using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Notifications;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>The hourly evaluation tells the config's people about an alert it opens — once, not every hour it stays open.</summary>
public sealed class AlertAnnouncementTests : HealthTestBase, IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private ServiceProvider _notifications = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _notifications = NotificationHarness.Build(NotificationHarness.Settings(), Catalog, Time);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _notifications.DisposeAsync();
        await DisposeAsync();
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task An_overdue_backup_is_announced_once_while_its_alert_stays_open(bool onWarning, int announcements)
    {
        var config = await Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = "nightly site",
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule { Frequency = "daily", Time = "02:00" },
            Storage = new StorageDestination { Type = "local", Path = "announce" },
            Notifications = new NotificationConfig
            {
                OnWarning = onWarning,
                Webhooks = [new WebhookChannel { Url = _receiver.Url("/alerts") }],
            },
        }, default);
        await RunAsync(config.Id, JobStatus.Completed);
        var monitor = new AlertMonitor(Catalog, new DestinationUsageMeter(Stores, Options.Create(new StorageOptions { LocalRoot = LocalFolder("") }), Time), Usage,
            Options.Create(new AlertOptions()), Time, NullLogger<AlertMonitor>.Instance, _notifications.GetRequiredService<BackupNotifier>());

        // Two days without a success: overdue (medium) is opened, then stays open for the next hourly evaluations.
        Time.Advance(TimeSpan.FromDays(2));
        var first = await monitor.EvaluateAsync(default);
        Assert.Equal(AlertTypes.BackupOverdue, Assert.Single(first.NewlyRaised).Type);
        Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty((await monitor.EvaluateAsync(default)).NewlyRaised);
        Time.Advance(TimeSpan.FromHours(1));
        await monitor.EvaluateAsync(default);

        var received = _receiver.Requests.ToList();
        Assert.Equal(announcements, received.Count);
        if (announcements == 1)
        {
            var body = received[0].Json;
            Assert.Equal(NotificationEvents.AlertRaised, body.GetProperty("event").GetString());
            Assert.Equal(config.Id, body.GetProperty("configId").GetString());
            Assert.Equal(AlertTypes.BackupOverdue, body.GetProperty("alert").GetProperty("type").GetString());
            Assert.Equal("medium", body.GetProperty("alert").GetProperty("severity").GetString());
        }
    }
}
