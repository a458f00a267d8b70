using System.Net;
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
/// 02:30 does not exist (clocks jump from 02:00 to 03:00), fired twice in the same slot and after an outage; nextRunAt
/// through the API; a manual start refused at the maxConcurrent limit.
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
        // The seed's job words: created by the schedule, named after the config and the slot.
        Assert.Equal("schedule", job.CreatedBy);
        Assert.Equal("nightly 2026-03-29 01:00 UTC", job.Name);
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), job.ScheduledFor);
        Assert.Equal(JobIds.ForSchedule(configId, job.ScheduledFor!.Value), job.Id);
        var finished = await JobPolling.WaitForJobAsync(host.Http, job.Id, TimeSpan.FromMinutes(2));
        Assert.True(finished.GetProperty("status").GetString() == "completed", finished.ToString());
        // The timer moved nextRunAt on to the next night (02:30 CEST = 00:30 UTC).
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero), await NextRunAtAsync(configId));

        // Three days down: the slots of 30 and 31 March and 1 April collapse into one run, for the latest slot.
        clock.SetUtcNow(new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.Zero));
        await FireTimerAsync();
        await FireTimerAsync();
        jobs = await JobsOfAsync(configId);
        Assert.Equal(2, jobs.Count);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 30, 0, TimeSpan.Zero), jobs[0].ScheduledFor);
        Assert.Equal(new DateTimeOffset(2026, 4, 2, 0, 30, 0, TimeSpan.Zero), await NextRunAtAsync(configId));
        await JobPolling.WaitForJobAsync(host.Http, jobs[0].Id, TimeSpan.FromMinutes(2));
    }

    // The tests below leave the fake clock alone: the test above needs it before 29 March 01:00 UTC when it starts.

    [Fact]
    public async Task NextRunAt_is_returned_by_get_and_list_and_null_for_manual_configs()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var weekly = await host.CreateConfigAsync(new
        {
            name = "weekly",
            files = new { root = site, components = new[] { "themes" } },
            schedule = new { frequency = "weekly", dayOfWeek = "monday", time = "02:30", timeZone = "Europe/Berlin" },
            storage = new { type = "local", path = "weekly" },
        });
        var manual = await host.CreateConfigAsync(new
        {
            name = "by hand",
            files = new { root = site, components = new[] { "themes" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "by-hand" },
        });

        var now = host.Clock!.GetUtcNow();
        var next = await NextRunAtAsync(weekly);
        Assert.NotNull(next);
        var local = TimeZoneInfo.ConvertTime(next.Value, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        Assert.Equal((DayOfWeek.Monday, new TimeSpan(2, 30, 0)), (local.DayOfWeek, local.TimeOfDay));
        Assert.InRange(next.Value, now, now.AddDays(7));
        Assert.Null(await NextRunAtAsync(manual));

        var list = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-configs?pageSize=100");
        var items = list.GetProperty("items").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(next, items[weekly].GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, items[manual].GetProperty("nextRunAt").ValueKind);
        Assert.Equal("monday", items[weekly].GetProperty("schedule").GetProperty("dayOfWeek").GetString());
        Assert.Equal(1, items[weekly].GetProperty("schedule").GetProperty("maxConcurrent").GetInt32());
    }

    [Fact]
    public async Task A_manual_start_while_maxConcurrent_runs_go_gets_409_with_the_reason()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "busy",
            files = new { root = site, components = new[] { "themes", "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "busy" },
        });
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var now = host.Clock!.GetUtcNow();
        var running = new BackupJob
        {
            Id = JobIds.ForManual(configId, now, "busy"), ConfigId = configId, Trigger = "manual", CreatedAt = now, Status = JobStatus.Running,
        };
        Assert.True(await catalog.Jobs.TryCreateAsync(running, default));

        using (var refused = await host.Http.PostAsJsonAsync("api/backups", new { configId }))
        {
            var body = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(409, problem.GetProperty("status").GetInt32());
            Assert.Contains("maxConcurrent 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("still running", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        Assert.Single(await JobsOfAsync(configId));

        await catalog.Jobs.UpdateAsync(running.Id, j => j with { Status = JobStatus.Completed }, default);
        using var accepted = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var finished = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
        Assert.True(finished.GetProperty("status").GetString() == "completed", finished.ToString());
    }

    [Fact]
    public async Task A_config_with_a_bad_schedule_or_maxConcurrent_is_refused_naming_the_fields()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", new
        {
            name = "bad",
            files = new { root = "/srv/site", components = new[] { "themes" } },
            schedule = new { frequency = "monthly", dayOfMonth = 32, time = "02:30", timeZone = "Europe/Berlin" },
            storage = new { type = "local", path = "bad" },
            maxConcurrent = 0,
        });
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Contains("1 to 31", errors.GetProperty("schedule.dayOfMonth")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("between 1 and 10", errors.GetProperty("maxConcurrent")[0].GetString(), StringComparison.Ordinal);
    }

    private async Task<DateTimeOffset?> NextRunAtAsync(string configId)
    {
        var config = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
        var next = config.GetProperty("nextRunAt");
        return next.ValueKind == JsonValueKind.Null ? null : next.GetDateTimeOffset();
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
        return [.. (await catalog.Jobs.ListAsync(100, null, default)).Items.Where(j => j.ConfigId == configId)];
    }
}
