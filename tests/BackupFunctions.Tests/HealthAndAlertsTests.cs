using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Health;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// Failing backups through the real app: the job fails, GET /api/backup-alerts shows one backup_failed alert (high,
/// critical from the third failure), GET /api/backup-health shows the failures and the alert, the alert can be
/// acknowledged, and the next successful backup resolves it. The hourly evaluation then fills in storage usage.
/// </summary>
public sealed class HealthAndAlertsTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_failing_backup_raises_one_alert_that_escalates_is_acknowledged_and_resolved_by_the_next_success()
    {
        // The site root is removed after the config is stored: archiving the files fails until it is back.
        var site = Directory.CreateDirectory(host.Scratch("site")).FullName;
        var configId = await host.CreateConfigAsync(new
        {
            name = "flaky site",
            files = new { root = site, components = new[] { "themes", "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "health-" + Guid.NewGuid().ToString("N")[..8] },
        });
        Directory.Delete(site);

        var failed = await BackupAsync(configId);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        // The alert is raised right after the job's row says failed.
        var alert = Assert.Single(await WaitForAlertsAsync($"configId={configId}&status=open", a => a.Count == 1));
        Assert.Equal(("backup_failed", "high", "open", 1), (Type(alert), Severity(alert), Status(alert), alert.GetProperty("occurrences").GetInt32()));
        Assert.Contains("does not exist", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
        var alertId = alert.GetProperty("id").GetString()!;

        var health = await ConfigHealthAsync(configId);
        Assert.Equal(1, health.GetProperty("consecutiveFailures").GetInt32());
        Assert.Equal("warning", health.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("lastSuccessfulBackup").ValueKind);
        Assert.Equal(alertId, Assert.Single(health.GetProperty("openAlerts").EnumerateArray()).GetProperty("id").GetString());

        await BackupAsync(configId);
        await BackupAsync(configId);
        alert = Assert.Single(await WaitForAlertsAsync($"configId={configId}", a => a.Count == 1 && a[0].GetProperty("occurrences").GetInt32() == 3));
        Assert.Equal(("critical", "open", 3), (Severity(alert), Status(alert), alert.GetProperty("occurrences").GetInt32()));
        Assert.Single(await AlertsAsync($"configId={configId}&severity=critical"));
        Assert.Empty(await AlertsAsync($"configId={configId}&severity=high"));
        var report = await HealthAsync();
        Assert.Equal("critical", report.GetProperty("status").GetString());
        Assert.True(report.GetProperty("openAlertsBySeverity").GetProperty("critical").GetInt32() >= 1);
        Assert.Equal(3, (await ConfigHealthAsync(configId)).GetProperty("consecutiveFailures").GetInt32());

        using (var ack = await host.Http.PostAsJsonAsync($"api/backup-alerts/{alertId}/acknowledge", new { by = "ops", note = "creating the site folder" }))
        {
            var body = await ack.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            Assert.Equal(("acknowledged", "ops", "creating the site folder"),
                (Status(body), body.GetProperty("acknowledgedBy").GetString(), body.GetProperty("acknowledgementNote").GetString()));
        }
        var acknowledgedAt = Assert.Single(await AlertsAsync($"configId={configId}&status=acknowledged")).GetProperty("acknowledgedAt").GetDateTimeOffset();
        using (var again = await host.Http.PostAsync($"api/backup-alerts/{alertId}/acknowledge", null))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(acknowledgedAt, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acknowledgedAt").GetDateTimeOffset());
        }
        using (var unknown = await host.Http.PostAsync("api/backup-alerts/backup_failed_cfg-nothing/acknowledge", null))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        SampleCms.CreateSite(site);
        var succeeded = await BackupAsync(configId);
        Assert.Equal("completed", succeeded.GetProperty("status").GetString());
        var resolved = Assert.Single(await AlertsAsync($"configId={configId}&status=resolved"));
        Assert.Equal(alertId, resolved.GetProperty("id").GetString());
        Assert.Empty(await AlertsAsync($"configId={configId}&status=open"));
        using (var late = await host.Http.PostAsync($"api/backup-alerts/{alertId}/acknowledge", null))
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        health = await ConfigHealthAsync(configId);
        Assert.Equal(("healthy", 0), (health.GetProperty("status").GetString(), health.GetProperty("consecutiveFailures").GetInt32()));
        Assert.Equal(succeeded.GetProperty("id").GetString(), health.GetProperty("lastSuccessfulBackup").GetProperty("backupId").GetString());
        Assert.True(health.GetProperty("averageBackupSize").GetInt64() > 0);
        Assert.True(health.GetProperty("averageBackupTime").GetDouble() > 0);
        Assert.Empty(health.GetProperty("openAlerts").EnumerateArray());

        // The hourly evaluation measures the destination; the health endpoint then shows its usage.
        var usage = Assert.Single(health.GetProperty("storageUsage").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, usage.GetProperty("usedBytes").ValueKind);
        // It also records, per config, what the Azure Monitor rules and workbook read: hours since the last success and
        // the bytes used at each destination.
        var measured = new List<(string Instrument, double Value)>();
        using (var listener = new System.Diagnostics.Metrics.MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == BackupMetrics.MeterName && instrument.Name is "backup.since_success" or "storage.used")
                    l.EnableMeasurementEvents(instrument);
            };
            void Record(System.Diagnostics.Metrics.Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "config.id" && Equals(tag.Value, configId))
                    {
                        lock (measured)
                            measured.Add((instrument.Name, value));
                    }
                }
            }
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
            listener.Start();
            await host.Host.Services.GetRequiredService<AlertMonitor>().EvaluateAsync(default);
        }
        usage = Assert.Single((await ConfigHealthAsync(configId)).GetProperty("storageUsage").EnumerateArray());
        var since = Assert.Single(measured, m => m.Instrument == "backup.since_success");
        Assert.InRange(since.Value, 0, 1);
        Assert.Equal(usage.GetProperty("usedBytes").GetInt64(), Assert.Single(measured, m => m.Instrument == "storage.used").Value);
        Assert.True(usage.GetProperty("usedBytes").GetInt64() >= health.GetProperty("averageBackupSize").GetInt64());
        Assert.True(usage.GetProperty("totalBytes").GetInt64() > usage.GetProperty("usedBytes").GetInt64());
        Assert.InRange(usage.GetProperty("percentage").GetDouble(), 0, 100);
        Assert.Equal(JsonValueKind.String, usage.GetProperty("measuredAt").ValueKind);
    }

    [Fact]
    public async Task Alert_filters_are_checked()
    {
        using var status = await host.Http.GetAsync("api/backup-alerts?status=closed");
        using var severity = await host.Http.GetAsync("api/backup-alerts?severity=urgent");
        using var token = await host.Http.GetAsync("api/backup-alerts?continuationToken=xyz");
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (status.StatusCode, severity.StatusCode, token.StatusCode));
        Assert.Contains("status", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var body = await host.Http.PostAsync("api/backup-alerts/x/acknowledge",
            new StringContent("{\"who\": 1}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, body.StatusCode);
    }

    private async Task<JsonElement> BackupAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        return await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
    }

    private async Task<List<JsonElement>> AlertsAsync(string query)
    {
        var page = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?pageSize=100&{query}");
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private async Task<List<JsonElement>> WaitForAlertsAsync(string query, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        List<JsonElement> alerts;
        while (!done(alerts = await AlertsAsync(query)) && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return alerts;
    }

    private async Task<JsonElement> HealthAsync()
    {
        using var response = await host.Http.GetAsync("api/backup-health");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<JsonElement> ConfigHealthAsync(string configId)
        => (await HealthAsync()).GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("configId").GetString() == configId);

    private static string? Type(JsonElement alert) => alert.GetProperty("type").GetString();

    private static string? Severity(JsonElement alert) => alert.GetProperty("severity").GetString();

    private static string? Status(JsonElement alert) => alert.GetProperty("status").GetString();
}
