using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Tests.Support;
using BackupFunctions.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// The real timer function against the local host with a fake clock: a daily 02:30 Europe/Berlin config on the night
/// 02:30 does not exist (clocks jump from 02:00 to 03:00), fired twice in the same slot and after an outage.
/// </summary>
public sealed class ScheduledBackupTests(FakeClockHostFixture host) : IClassFixture<FakeClockHostFixture>
{
    [Fact]
    public async Task A_due_slot_starts_exactly_one_run_and_missed_slots_collapse_into_one()
    {
        var clock = host.Clock!;
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "nightly",
            files = new { root = site, components = new[] { "themes", "config" } },
            schedule = new { frequency = "daily", time = "02:30", timeZone = "Europe/Berlin" },
            storage = new { type = "local", path = "nightly" },
        });

        // 02:30 is skipped on 2026-03-29 in Berlin: the run is due right after the gap, at 03:00 CEST = 01:00 UTC.
        var config = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), config.GetProperty("nextRunAt").GetDateTimeOffset());

        clock.SetUtcNow(new DateTimeOffset(2026, 3, 29, 0, 59, 59, TimeSpan.Zero));
        await FireTimerAsync();
        Assert.Empty(await JobsOfAsync(configId));

        clock.SetUtcNow(new DateTimeOffset(2026, 3, 29, 1, 0, 30, TimeSpan.Zero));
        await Task.WhenAll(FireTimerAsync(), FireTimerAsync());
        await FireTimerAsync();
        var jobs = await JobsOfAsync(configId);
        var job = Assert.Single(jobs);
        Assert.Equal("schedule", job.Trigger);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), job.ScheduledFor);
        Assert.Equal(JobIds.ForSchedule(configId, job.ScheduledFor!.Value), job.Id);
        var finished = await JobPolling.WaitForJobAsync(host.Http, job.Id, TimeSpan.FromMinutes(2));
        Assert.True(finished.GetProperty("status").GetString() == "completed", finished.ToString());

        // Three days down: the slots of 30 and 31 March and 1 April collapse into one run, for the latest slot.
        clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero));
        await FireTimerAsync();
        await FireTimerAsync();
        jobs = await JobsOfAsync(configId);
        Assert.Equal(2, jobs.Count);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 30, 0, TimeSpan.Zero), jobs[0].ScheduledFor);
        await JobPolling.WaitForJobAsync(host.Http, jobs[0].Id, TimeSpan.FromMinutes(2));
    }

    private async Task FireTimerAsync()
    {
        var services = host.Host.Services;
        var timer = ActivatorUtilities.CreateInstance<ScheduledBackupsTimer>(services);
        await timer.Run(new TimerInfo(), services.GetRequiredService<DurableTaskClient>(), default);
    }

    private async Task<List<BackupJob>> JobsOfAsync(string configId)
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        return [.. (await catalog.ListJobsAsync(100, null, default)).Items.Where(j => j.ConfigId == configId)];
    }
}
