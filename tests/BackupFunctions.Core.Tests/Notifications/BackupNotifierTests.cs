using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Tests.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Notifications;

/// <summary>BackupNotifier over a real catalog (Azurite), a real HTTP receiver and the real SMTP sink.</summary>
public sealed class BackupNotifierTests : CatalogTestBase, IAsyncLifetime
{
    private const string Secret = "notifier-test-secret-0123456789";
    private WebhookReceiver _receiver = null!;
    private ServiceProvider _services = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        _receiver = await WebhookReceiver.StartAsync();
        _services = NotificationHarness.Build(NotificationHarness.Settings(), Catalog, Time);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _services.DisposeAsync();
        await DisposeAsync();
    }

    private BackupNotifier Notifier => _services.GetRequiredService<BackupNotifier>();

    private async Task<string> ConfigAsync(NotificationConfig? notifications, string name = "blog")
    {
        var (prepared, errors) = _services.GetRequiredService<NotificationSetup>().Prepare(notifications);
        Assert.Empty(errors);
        var stored = await Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = name,
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "x" },
            Notifications = prepared,
        }, default);
        return stored.Id;
    }

    private async Task<BackupJob> JobAsync(string configId, JobStatus status, string? error = null, IReadOnlyList<string>? warnings = null)
    {
        var job = new BackupJob
        {
            Id = JobIds.ForManual(configId, Time.GetUtcNow(), Guid.NewGuid().ToString("N")[..8]),
            ConfigId = configId,
            Trigger = "manual",
            Status = status,
            CreatedAt = Time.GetUtcNow(),
            StartedAt = Time.GetUtcNow(),
            CompletedAt = Time.GetUtcNow().AddSeconds(42),
            DurationSeconds = 42,
            Error = error,
            Warnings = warnings ?? [],
        };
        Assert.True(await Catalog.Jobs.TryCreateAsync(job, default));
        return job;
    }

    private NotificationConfig Everywhere(string to, bool onSuccess = false) => new()
    {
        OnSuccess = onSuccess,
        Webhooks = [new WebhookChannel { Url = _receiver.Url(), Secret = new SecretValue { Value = Secret } }],
        Email = new EmailChannel { To = [to] },
    };

    [Fact]
    public async Task A_failed_job_goes_to_the_webhook_and_the_mailbox_and_is_recorded_without_changing_the_job()
    {
        var to = SmtpSink.UniqueRecipient("failed");
        var configId = await ConfigAsync(Everywhere(to), "shop");
        var job = await JobAsync(configId, JobStatus.Failed, "DumpDatabase failed: boom");

        var result = await Notifier.NotifyJobAsync(job.Id, default);

        Assert.Equal(NotificationEvents.BackupFailed, result.Event);
        Assert.True(result.AllDelivered, string.Join("; ", result.Deliveries.Select(d => d.Error)));
        Assert.Equal([NotificationDelivery.Webhook, NotificationDelivery.Email], result.Deliveries.Select(d => d.Channel));

        var request = Assert.Single(_receiver.Requests);
        var body = request.Json;
        Assert.Equal("backup.failed", body.GetProperty("event").GetString());
        Assert.Equal(job.Id, body.GetProperty("jobId").GetString());
        Assert.Equal("shop", body.GetProperty("configName").GetString());
        Assert.Equal("DumpDatabase failed: boom", body.GetProperty("error").GetString());
        Assert.Equal($"https://backups.example.test/api/backup-jobs/{job.Id}", body.GetProperty("links").GetProperty("job").GetString());
        Assert.True(WebhookSignature.Verify(Secret, request.Header(WebhookSignature.TimestampHeader), request.Header(WebhookSignature.SignatureHeader),
            request.Body, Time.GetUtcNow(), TimeSpan.FromMinutes(5)));

        var mail = Assert.Single(await SmtpSink.WaitForAsync(to, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal("[BackupFunctions] Backup failed: shop", mail.Message.Subject);
        Assert.Contains(job.Id, mail.Text, StringComparison.Ordinal);

        var after = (await Catalog.Jobs.GetAsync(job.Id, default))!;
        Assert.Equal(JobStatus.Failed, after.Status);
        Assert.Empty(after.Warnings);
        Assert.Equal(result.Deliveries, after.Notifications);

        // Once per job: a second call (an orchestration replayed, say) sends nothing more.
        var again = await Notifier.NotifyJobAsync(job.Id, default);
        Assert.Empty(again.Deliveries);
        Assert.Single(_receiver.Requests);
    }

    [Theory]
    [InlineData(JobStatus.Completed, false, true, true, null)]
    [InlineData(JobStatus.Completed, true, true, true, NotificationEvents.BackupSucceeded)]
    [InlineData(JobStatus.CompletedWithWarnings, false, true, true, NotificationEvents.BackupCompletedWithWarnings)]
    [InlineData(JobStatus.CompletedWithWarnings, true, true, false, null)]
    [InlineData(JobStatus.Failed, true, false, true, null)]
    [InlineData(JobStatus.Cancelled, false, true, false, NotificationEvents.BackupCancelled)]
    [InlineData(JobStatus.Running, true, true, true, null)]
    [InlineData(JobStatus.Skipped, true, true, true, null)]
    public async Task The_flags_decide_by_status(JobStatus status, bool onSuccess, bool onFailure, bool onWarning, string? sent)
    {
        var configId = await ConfigAsync(new NotificationConfig
        {
            OnSuccess = onSuccess,
            OnFailure = onFailure,
            OnWarning = onWarning,
            Webhooks = [new WebhookChannel { Url = _receiver.Url() }],
        });
        var job = await JobAsync(configId, status, warnings: status == JobStatus.CompletedWithWarnings ? ["replica 1: copy failed"] : null);

        var result = await Notifier.NotifyJobAsync(job.Id, default);

        if (sent is null)
        {
            Assert.Empty(result.Deliveries);
            Assert.NotNull(result.NotSentBecause);
            Assert.Empty(_receiver.Requests);
        }
        else
        {
            Assert.Equal(sent, Assert.Single(_receiver.Requests).Json.GetProperty("event").GetString());
            Assert.True(result.AllDelivered);
        }
    }

    [Fact]
    public async Task Receivers_that_are_down_are_reported_not_thrown()
    {
        var settings = NotificationHarness.Settings();
        settings["Notifications:Smtp:Port"] = "1";
        settings["Notifications:Smtp:Retries"] = "0";
        settings["Notifications:Webhooks:Retries"] = "0";
        await using var services = NotificationHarness.Build(settings, Catalog, Time);
        var configId = await ConfigAsync(new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "http://127.0.0.1:1/hook", Secret = new SecretValue { Value = Secret } }],
            Email = new EmailChannel { To = ["ops@example.test"] },
        });
        var job = await JobAsync(configId, JobStatus.Failed, "boom");

        var result = await services.GetRequiredService<BackupNotifier>().NotifyJobAsync(job.Id, default);

        Assert.Equal(2, result.Deliveries.Count);
        Assert.All(result.Deliveries, d => Assert.False(d.Delivered));
        Assert.All(result.Deliveries, d => Assert.False(string.IsNullOrEmpty(d.Error)));
        var after = (await Catalog.Jobs.GetAsync(job.Id, default))!;
        Assert.Equal(JobStatus.Failed, after.Status);
        Assert.Equal("boom", after.Error);
        Assert.Equal(2, after.Notifications.Count);
    }

    [Fact]
    public async Task A_missing_job_or_config_is_a_result_not_an_exception()
    {
        var missing = await Notifier.NotifyJobAsync("job-does-not-exist", default);
        Assert.Contains("does not exist", missing.NotSentBecause, StringComparison.Ordinal);

        var job = await JobAsync("cfg-000000000000000000000000", JobStatus.Failed, "boom");
        var noConfig = await Notifier.NotifyJobAsync(job.Id, default);
        Assert.Equal(NotificationEvents.BackupFailed, noConfig.Event);
        Assert.Empty(noConfig.Deliveries);
    }

    [Theory]
    [InlineData("critical", true, false, true)]
    [InlineData("high", true, false, true)]
    [InlineData("medium", true, false, false)]
    [InlineData("low", false, true, true)]
    public async Task Alerts_go_out_by_severity(string severity, bool onFailure, bool onWarning, bool sent)
    {
        var configId = await ConfigAsync(new NotificationConfig
        {
            OnFailure = onFailure,
            OnWarning = onWarning,
            Webhooks = [new WebhookChannel { Url = _receiver.Url() }],
        });
        var alert = new BackupAlert
        {
            Id = AlertTypes.IdFor(AlertTypes.BackupFailed, configId),
            Type = AlertTypes.BackupFailed,
            Severity = severity,
            ConfigId = configId,
            Message = "3 backups in a row failed",
            CreatedAt = Time.GetUtcNow(),
        };

        var result = await Notifier.NotifyAlertAsync(alert, default);

        Assert.Equal(NotificationEvents.AlertRaised, result.Event);
        if (!sent)
        {
            Assert.Empty(_receiver.Requests);
            return;
        }
        var body = Assert.Single(_receiver.Requests).Json;
        Assert.Equal("alert.raised", body.GetProperty("event").GetString());
        Assert.Equal(severity, body.GetProperty("alert").GetProperty("severity").GetString());
        Assert.Equal("backup_failed", body.GetProperty("alert").GetProperty("type").GetString());
        Assert.Equal($"https://backups.example.test/api/backup-alerts/{alert.Id}", body.GetProperty("links").GetProperty("alert").GetString());
    }
}
