using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Tests.Notifications;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

public sealed class NotificationTests(NotificationHostFixture host) : IClassFixture<NotificationHostFixture>
{
    private const string Secret = "app-test-webhook-secret-0123456789";

    private async Task<(string JobId, OrchestrationMetadata? Instance)> RunBackupAsync(object config)
    {
        var configId = await host.CreateConfigAsync(config);
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        // The orchestration's end, not just the job's: Notify is its last step.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var instance = await host.Host.Services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(jobId, timeout.Token);
        return (jobId, instance);
    }

    [Fact]
    public async Task A_failing_backup_raises_an_alert_sends_one_signed_webhook_and_one_email_and_the_health_endpoint_shows_it()
    {
        var to = SmtpSink.UniqueRecipient("app-failed");
        var path = "/hook/" + Guid.NewGuid().ToString("N");
        var name = "notify failing " + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name,
            database = new { host = "127.0.0.1", port = 1, database = "nope", username = "postgres" },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "notify-" + Guid.NewGuid().ToString("N")[..6] },
            notifications = new
            {
                onFailure = true,
                webhooks = new[] { new { url = host.Receiver.Url(path + "?token=t0ps3cret"), secret = Secret } },
                email = new { to = new[] { to } },
            },
        });

        var shown = await host.Http.GetStringAsync($"api/backup-configs/{configId}");
        Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("sealed:", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("t0ps3cret", shown, StringComparison.Ordinal);
        var webhookView = JsonDocument.Parse(shown).RootElement.GetProperty("notifications").GetProperty("webhooks")[0];
        Assert.True(webhookView.GetProperty("signing").GetBoolean());

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var instance = await host.Host.Services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(jobId, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Failed, instance?.RuntimeStatus);

        var deliveries = host.Receiver.Requests.Where(r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal)).ToList();
        var request = Assert.Single(deliveries);
        var body = request.Json;
        Assert.Equal("backup.failed", body.GetProperty("event").GetString());
        Assert.Equal(jobId, body.GetProperty("jobId").GetString());
        Assert.Equal(configId, body.GetProperty("configId").GetString());
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Contains("DumpDatabase", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(Secret, request.Header(WebhookSignature.TimestampHeader), request.Header(WebhookSignature.SignatureHeader),
            request.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var mail = Assert.Single(await SmtpSink.WaitForAsync(to, 1, TimeSpan.FromSeconds(10)));
        Assert.Equal($"[BackupFunctions] Backup failed: {name}", mail.Message.Subject);
        Assert.True(mail.Tls);
        Assert.Contains(jobId, mail.Text, StringComparison.Ordinal);

        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
        Assert.Equal("failed", job.GetProperty("status").GetString());
        var notes = job.GetProperty("notifications").EnumerateArray().ToList();
        Assert.Equal(2, notes.Count);
        Assert.All(notes, n => Assert.True(n.GetProperty("delivered").GetBoolean(), n.ToString()));

        // The same failure is an open backup_failed alert, and the health endpoint shows the failure and the alert.
        var alerts = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?configId={configId}&status=open");
        var alert = Assert.Single(alerts.GetProperty("items").EnumerateArray());
        Assert.Equal(("backup_failed", "high"), (alert.GetProperty("type").GetString(), alert.GetProperty("severity").GetString()));
        var health = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-health");
        Assert.NotEqual("healthy", health.GetProperty("status").GetString());
        var configHealth = health.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("configId").GetString() == configId);
        Assert.Equal(1, configHealth.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal(alert.GetProperty("id").GetString(), Assert.Single(configHealth.GetProperty("openAlerts").EnumerateArray()).GetProperty("id").GetString());
        // The job's own notification told about the failure: the alert it raised is not announced a second time.
        Assert.Single(host.Receiver.Requests, r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));

        // Nothing secret in what the service keeps or logs.
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(Secret, StringComparison.Ordinal) || l.Contains("t0ps3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_copy_that_fails_a_later_verification_is_announced_once_as_an_alert()
    {
        var path = "/hook/" + Guid.NewGuid().ToString("N");
        var folder = "notify-verify-" + Guid.NewGuid().ToString("N")[..6];
        var (jobId, instance) = await RunBackupAsync(new
        {
            name = "notify verify",
            files = new { root = SampleCms.CreateSite(host.Scratch("site")) },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = folder },
            notifications = new { onSuccess = false, onFailure = true, webhooks = new[] { new { url = host.Receiver.Url(path) } } },
        });
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance?.RuntimeStatus);
        Assert.DoesNotContain(host.Receiver.Requests, r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));

        // A byte flipped in the stored copy; the next verifications (outside any backup run) find it.
        var part = Directory.EnumerateFiles(Path.Combine(host.LocalRoot, folder), "files-00001.part", SearchOption.AllDirectories).Single();
        var bytes = await File.ReadAllBytesAsync(part);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(part, bytes);
        string? verifiedAt = null;
        for (var run = 1; run <= 2; run++)
        {
            using var verify = await host.Http.PostAsJsonAsync($"api/backups/{jobId}/verify", new { level = "quick" });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, verify.StatusCode);
            var before = verifiedAt;
            var backup = await JobPolling.WaitForBackupAsync(host.Http, jobId,
                b => VerifiedAt(b) != before && b.GetProperty("status").GetString() == "verification_failed", TimeSpan.FromMinutes(1));
            verifiedAt = VerifiedAt(backup);
            // The row is written before the verification's orchestration ends; a second request before then gets 409.
            var verification = Core.Verification.VerificationRequest.InstanceIdFor(jobId);
            var idleBy = DateTime.UtcNow.AddMinutes(1);
            while (await host.Host.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(verification) is { IsCompleted: false })
            {
                Assert.True(DateTime.UtcNow < idleBy, $"verification {verification} did not finish");
                await Task.Delay(100);
            }
        }

        // Critical alert → onFailure: one alert.raised, not one per verification that finds the same damage.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!host.Receiver.Requests.Any(Mine) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(host.Receiver.Requests, Mine).Json;
        Assert.Equal(NotificationEvents.AlertRaised, alert.GetProperty("event").GetString());
        Assert.Equal(("verification_failed", "critical"),
            (alert.GetProperty("alert").GetProperty("type").GetString(), alert.GetProperty("alert").GetProperty("severity").GetString()));
        Assert.Equal(jobId, alert.GetProperty("backupId").GetString());

        bool Mine(Core.Tests.Notifications.ReceivedRequest r) => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal);
        static string? VerifiedAt(JsonElement backup) => backup.GetProperty("locations")[0].GetProperty("lastVerification").GetProperty("verifiedAt").GetString();
    }

    [Fact]
    public async Task A_successful_backup_with_on_success_false_sends_nothing()
    {
        var to = SmtpSink.UniqueRecipient("app-success");
        var path = "/hook/" + Guid.NewGuid().ToString("N");
        var site = SampleCms.CreateSite(host.Scratch("site"));

        var (jobId, instance) = await RunBackupAsync(new
        {
            name = "notify quiet",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "notify-" + Guid.NewGuid().ToString("N")[..6] },
            notifications = new
            {
                onSuccess = false,
                webhooks = new[] { new { url = host.Receiver.Url(path) } },
                email = new { to = new[] { to } },
            },
        });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance?.RuntimeStatus);
        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.DoesNotContain(host.Receiver.Requests, r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal));
        Assert.Empty(SmtpSink.MessagesTo(to));
        Assert.Empty(job.GetProperty("notifications").EnumerateArray());
    }

    [Fact]
    public async Task Receivers_that_are_down_do_not_fail_a_successful_backup()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));

        var (jobId, instance) = await RunBackupAsync(new
        {
            name = "notify down",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "notify-" + Guid.NewGuid().ToString("N")[..6] },
            notifications = new
            {
                onSuccess = true,
                // Port 1 on loopback: nothing listens there.
                webhooks = new[] { new { url = "http://127.0.0.1:1/hook" } },
            },
        });

        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance?.RuntimeStatus);
        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        var note = Assert.Single(job.GetProperty("notifications").EnumerateArray());
        Assert.False(note.GetProperty("delivered").GetBoolean());
        Assert.Equal(0, job.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public async Task Bad_notification_settings_are_refused_naming_the_field()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", new
        {
            name = "bad notify",
            files = new { root = "/srv/site" },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container },
            notifications = new
            {
                webhooks = new[] { new { url = "http://hooks.example.com/x", secret = "short" } },
                email = new { to = new[] { "not an address" } },
            },
        });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("notifications.webhooks[0].url", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("notifications.webhooks[0].secret", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("notifications.email.to[0]", out _), errors.ToString());
    }

    [Fact]
    public async Task A_completed_restore_job_sends_restore_completed_to_the_webhook_and_by_mail()
    {
        string backupId;
        var to = SmtpSink.UniqueRecipient("app-restore");
        var path = "/hook/" + Guid.NewGuid().ToString("N");
        var name = "notify restore " + Guid.NewGuid().ToString("N")[..6];
        var site = host.Scratch("site");
        Directory.CreateDirectory(Path.Combine(site, "config"));
        await File.WriteAllTextAsync(Path.Combine(site, "config", "settings.php"), "<?php define('DB_NAME', 'cms');\n");
        var configId = await host.CreateConfigAsync(new
        {
            name,
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "notify-" + Guid.NewGuid().ToString("N")[..6] },
            notifications = new
            {
                onSuccess = true,
                webhooks = new[] { new { url = host.Receiver.Url(path), secret = Secret } },
                email = new { to = new[] { to } },
            },
        });
        using (var response = await host.Http.PostAsJsonAsync("api/backups", new { configId }))
        {
            var backupJobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            using var backupTimeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await host.Host.Services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(backupJobId, backupTimeout.Token);
            Assert.NotNull(await host.Host.Services.GetRequiredService<Core.Catalog.BackupCatalog>().Backups.GetAsync(backupJobId, default));
            backupId = backupJobId;
        }
        await File.WriteAllTextAsync(Path.Combine(site, "config", "settings.php"), "changed\n");

        var services = host.Host.Services;
        var catalog = services.GetRequiredService<Core.Catalog.BackupCatalog>();
        var starter = new Durable.DurableRestoreStarter(services.GetRequiredService<DurableTaskClient>());
        var restoreId = Core.Catalog.RestoreJobsTable.NewId(DateTimeOffset.UtcNow);
        Assert.Null(await new Core.Restores.RestoreClaims(catalog, TimeProvider.System, starter).TryClaimAsync(configId, restoreId, default));
        Assert.True(await catalog.RestoreJobs.TryCreateAsync(new Core.Catalog.RestoreJob
        {
            Id = restoreId,
            ConfigId = configId,
            BackupId = backupId,
            Options = new Core.Restores.RestoreOptions { CreatePreRestoreBackup = false },
            CreatedAt = DateTimeOffset.UtcNow,
        }, default));
        await starter.StartAsync(new Core.Restores.RestoreJobRequest(restoreId), default);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var instance = await services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(restoreId, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance?.RuntimeStatus);
        Assert.Equal("<?php define('DB_NAME', 'cms');\n", await File.ReadAllTextAsync(Path.Combine(site, "config", "settings.php")));

        var delivery = Assert.Single(host.Receiver.Requests, r => r.PathAndQuery.StartsWith(path, StringComparison.Ordinal)
            && r.Json.GetProperty("jobId").GetString() == restoreId);
        var body = delivery.Json;
        Assert.Equal(NotificationEvents.RestoreCompleted, body.GetProperty("event").GetString());
        Assert.Equal(NotificationEvents.RestoreCompleted, delivery.Header("X-BackupFunctions-Event"));
        Assert.Equal(backupId, body.GetProperty("backupId").GetString());
        Assert.Equal("completed", body.GetProperty("status").GetString());
        Assert.EndsWith($"/api/restore-jobs/{restoreId}", body.GetProperty("links").GetProperty("job").GetString(), StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(Secret, delivery.Header(WebhookSignature.TimestampHeader), delivery.Header(WebhookSignature.SignatureHeader),
            delivery.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        var mails = await SmtpSink.WaitForAsync(to, 2, TimeSpan.FromSeconds(10));
        Assert.Contains(mails, m => m.Message.Subject == $"[BackupFunctions] Restore completed: {name}" && m.Text.Contains(restoreId, StringComparison.Ordinal));
    }
}
