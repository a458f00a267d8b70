using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Tells a config's people about a finished run or a newly raised alert, on every channel of the config whose flag
/// lets the event through: completed → onSuccess, completed with warnings → onWarning, failed and cancelled →
/// onFailure; alerts critical and high → onFailure, medium and low → onWarning.
/// Never throws (only cancellation of the caller's token ends it early): every failure is logged and reported in the
/// result, and a job's deliveries are recorded on the job (its status stays as it is).
/// </summary>
public sealed class BackupNotifier(
    BackupCatalog catalog,
    NotificationSetup setup,
    WebhookSender webhooks,
    EmailSender email,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<BackupNotifier> logger)
{
    /// <summary>Notifies about the finished job <paramref name="jobId"/> (once: a job whose deliveries are recorded is not notified again).</summary>
    public async Task<NotificationResult> NotifyJobAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        try
        {
            var job = await catalog.Jobs.GetAsync(jobId, cancellationToken);
            if (job is null)
                return NotificationResult.NotSent(null, $"Job {jobId} does not exist.");
            if (EventOf(job.Status) is not var (name, level))
                return NotificationResult.NotSent(null, $"Job {jobId} is {JobStatusWords.Of(job.Status)}: nothing to tell yet.");
            if (job.Notifications.Count > 0)
                return NotificationResult.NotSent(name, "Already notified about this job.");
            var stored = await catalog.Configs.GetAsync(job.ConfigId, cancellationToken);
            if (stored?.Config.Notifications is not { } config)
                return NotificationResult.NotSent(name, "The config has no notifications.");
            if (!config.Wants(level))
                return NotificationResult.NotSent(name, $"The config's notifications leave out {name}.");

            var backup = job.BackupId is { } backupId ? await catalog.Backups.GetAsync(backupId, cancellationToken) : null;
            var notification = new BackupNotification
            {
                Id = $"{job.Id}:{name}",
                Event = name,
                Level = level,
                OccurredAt = job.CompletedAt ?? time.GetUtcNow(),
                ConfigId = job.ConfigId,
                ConfigName = stored.Config.Name,
                JobId = job.Id,
                BackupId = backup?.Id,
                Status = JobStatusWords.Of(job.Status),
                Trigger = job.Trigger,
                Error = job.Error,
                Warnings = job.Warnings,
                StartedAt = job.StartedAt,
                CompletedAt = job.CompletedAt,
                DurationSeconds = job.DurationSeconds,
                SizeBytes = backup?.SizeBytes,
                Links = new NotificationLinks
                {
                    Config = Link($"backup-configs/{job.ConfigId}"),
                    Job = Link($"backup-jobs/{job.Id}"),
                    Backup = backup is null ? null : Link($"backups/{backup.Id}"),
                },
            };
            var result = await SendAsync(config, notification, cancellationToken);
            await RecordAsync(job.Id, result, cancellationToken);
            return result;
        }
        catch (Exception e) when (Unexpected(e, cancellationToken))
        {
            logger.LogWarning("Notifying about job {JobId} failed: {Error}", jobId, e.Message);
            return NotificationResult.NotSent(null, $"Notifying failed: {e.Message}");
        }
    }

    /// <summary>
    /// Notifies about the finished restore job <paramref name="restoreJobId"/>: completed → <c>restore_completed</c>
    /// (onSuccess), failed → <c>restore_failed</c>, rolled back → <c>restore_rolled_back</c> (both onFailure); a
    /// cancelled one (nothing changed) is no event. Called once, by the restore orchestration's last step.
    /// </summary>
    public async Task<NotificationResult> NotifyRestoreJobAsync(string restoreJobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(restoreJobId);
        try
        {
            var job = await catalog.RestoreJobs.GetAsync(restoreJobId, cancellationToken);
            if (job is null)
                return NotificationResult.NotSent(null, $"Restore job {restoreJobId} does not exist.");
            if (EventOf(job.Status) is not var (name, level))
                return NotificationResult.NotSent(null, $"Restore job {restoreJobId} is {RestoreJobStatusWords.Of(job.Status)}: nothing to tell.");
            var stored = await catalog.Configs.GetAsync(job.ConfigId, cancellationToken);
            if (stored?.Config.Notifications is not { } config)
                return NotificationResult.NotSent(name, "The config has no notifications.");
            if (!config.Wants(level))
                return NotificationResult.NotSent(name, $"The config's notifications leave out {name}.");
            var notification = new BackupNotification
            {
                Id = $"{job.Id}:{name}",
                Event = name,
                Level = level,
                OccurredAt = job.CompletedAt ?? time.GetUtcNow(),
                ConfigId = job.ConfigId,
                ConfigName = stored.Config.Name,
                JobId = job.Id,
                BackupId = job.BackupId,
                Status = RestoreJobStatusWords.Of(job.Status),
                Error = job.Error,
                StartedAt = job.StartedAt,
                CompletedAt = job.CompletedAt,
                DurationSeconds = job.Result?.DurationSeconds,
                Links = new NotificationLinks
                {
                    Config = Link($"backup-configs/{job.ConfigId}"),
                    Job = Link($"restore-jobs/{job.Id}"),
                    Backup = Link($"backups/{job.BackupId}"),
                },
            };
            return await SendAsync(config, notification, cancellationToken);
        }
        catch (Exception e) when (Unexpected(e, cancellationToken))
        {
            logger.LogWarning("Notifying about restore job {JobId} failed: {Error}", restoreJobId, e.Message);
            return NotificationResult.NotSent(null, $"Notifying failed: {e.Message}");
        }
    }

    /// <summary>The event of a restore job in <paramref name="status"/>, or null while (or when) it is none.</summary>
    public static (string Name, NotificationLevel Level)? EventOf(RestoreJobStatus status) => status switch
    {
        RestoreJobStatus.Completed => (NotificationEvents.RestoreCompleted, NotificationLevel.Success),
        RestoreJobStatus.Failed => (NotificationEvents.RestoreFailed, NotificationLevel.Failure),
        RestoreJobStatus.RolledBack => (NotificationEvents.RestoreRolledBack, NotificationLevel.Failure),
        _ => null,
    };

    /// <summary>Notifies about <paramref name="alert"/>, which was just raised (the caller decides that it is new).</summary>
    public async Task<NotificationResult> NotifyAlertAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        const string Name = NotificationEvents.AlertRaised;
        try
        {
            var stored = await catalog.Configs.GetAsync(alert.ConfigId, cancellationToken);
            if (stored?.Config.Notifications is not { } config)
                return NotificationResult.NotSent(Name, "The config has no notifications.");
            var level = alert.Severity is AlertSeverities.Critical or AlertSeverities.High ? NotificationLevel.Failure : NotificationLevel.Warning;
            if (!config.Wants(level))
                return NotificationResult.NotSent(Name, $"The config's notifications leave out {alert.Severity} alerts.");

            var notification = new BackupNotification
            {
                Id = $"{alert.Id}:{alert.CreatedAt.UtcTicks}",
                Event = Name,
                Level = level,
                OccurredAt = alert.CreatedAt,
                ConfigId = alert.ConfigId,
                ConfigName = stored.Config.Name,
                BackupId = alert.BackupId,
                Alert = new NotificationAlert(alert.Id, alert.Type, alert.Severity, alert.Message),
                Links = new NotificationLinks
                {
                    Config = Link($"backup-configs/{alert.ConfigId}"),
                    Backup = alert.BackupId is null ? null : Link($"backups/{alert.BackupId}"),
                    Alert = Link($"backup-alerts/{alert.Id}"),
                },
            };
            return await SendAsync(config, notification, cancellationToken);
        }
        catch (Exception e) when (Unexpected(e, cancellationToken))
        {
            logger.LogWarning("Notifying about alert {AlertId} failed: {Error}", alert.Id, e.Message);
            return NotificationResult.NotSent(Name, $"Notifying failed: {e.Message}");
        }
    }

    /// <summary>Sends <paramref name="notification"/> on every channel of <paramref name="config"/>, one after another.</summary>
    public async Task<NotificationResult> SendAsync(NotificationConfig config, BackupNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(notification);
        var deliveries = new List<NotificationDelivery>();
        foreach (var webhook in config.Webhooks)
        {
            string? secret;
            try
            {
                secret = setup.RevealSecret(webhook);
            }
            catch (InvalidOperationException e)
            {
                var target = NotificationSetup.LoggedUrl(webhook.Url);
                logger.LogWarning("Webhook {Target} not called about {Event} {NotificationId}: {Error}", target, notification.Event, notification.Id, e.Message);
                deliveries.Add(new NotificationDelivery(NotificationDelivery.Webhook, target, false, 0, e.Message));
                continue;
            }
            deliveries.Add(await webhooks.SendAsync(webhook.Url, secret, notification, cancellationToken));
        }
        if (config.Email is { To.Count: > 0 } mail)
            deliveries.Add(await email.SendAsync(mail.To, notification, cancellationToken));
        return deliveries.Count == 0
            ? NotificationResult.NotSent(notification.Event, "The config's notifications have no channel.")
            : new NotificationResult { Event = notification.Event, Deliveries = deliveries };
    }

    /// <summary>The event of a job in <paramref name="status"/>, or null while it is no event.</summary>
    public static (string Name, NotificationLevel Level)? EventOf(JobStatus status) => status switch
    {
        JobStatus.Completed => (NotificationEvents.BackupSucceeded, NotificationLevel.Success),
        JobStatus.CompletedWithWarnings => (NotificationEvents.BackupCompletedWithWarnings, NotificationLevel.Warning),
        JobStatus.Failed => (NotificationEvents.BackupFailed, NotificationLevel.Failure),
        JobStatus.Cancelled => (NotificationEvents.BackupCancelled, NotificationLevel.Failure),
        _ => null,
    };

    private async Task RecordAsync(string jobId, NotificationResult result, CancellationToken cancellationToken)
    {
        if (result.Deliveries.Count == 0)
            return;
        try
        {
            // Only the notes change: a failed notification is not a warning of the backup, and the status stays.
            await catalog.Jobs.UpdateAsync(jobId, j => j with { Notifications = result.Deliveries }, cancellationToken);
        }
        catch (Exception e) when (Unexpected(e, cancellationToken))
        {
            logger.LogWarning("Job {JobId}: the notification deliveries could not be recorded: {Error}", jobId, e.Message);
        }
    }

    private string Link(string path) => options.Value.ApiBaseUrl.TrimEnd('/') + "/api/" + path;

    private static bool Unexpected(Exception e, CancellationToken cancellationToken) =>
        !(e is OperationCanceledException && cancellationToken.IsCancellationRequested) && e is not OutOfMemoryException;
}
