using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Tests.Support;
using BackupFunctions.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Tests;

/// <summary>
/// The hourly purge removes finished orchestrations' history (and the sealed keys in it), never the backup, and a job
/// only once it is past Jobs:KeepHistoryDays (JobHistoryPurgeTests).
/// </summary>
public sealed class HistoryPurgeTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_finished_backup_loses_its_history_after_the_keep_period_but_keeps_its_job_and_backup()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "purge",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "purge" },
        });
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
        var client = host.Host.Services.GetRequiredService<DurableTaskClient>();
        Assert.NotNull(await WaitForFinishedInstanceAsync(client, jobId));

        var jobs = host.Host.Services.GetRequiredService<JobHistoryPurge>();
        await new HistoryPurgeTimer(new FakeTimeProvider(DateTimeOffset.UtcNow), NullLogger<HistoryPurgeTimer>.Instance, jobs)
            .Run(new TimerInfo(), client, default);
        Assert.NotNull(await client.GetInstanceAsync(jobId));

        await new HistoryPurgeTimer(new FakeTimeProvider(DateTimeOffset.UtcNow + HistoryPurgeTimer.KeepFor + TimeSpan.FromMinutes(5)), NullLogger<HistoryPurgeTimer>.Instance, jobs)
            .Run(new TimerInfo(), client, default);
        Assert.Null(await client.GetInstanceAsync(jobId));

        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        using var backup = await host.Http.GetAsync($"api/backups/{jobId}");
        Assert.True(backup.IsSuccessStatusCode);
    }

    /// <summary>The job row is completed a moment before the orchestration itself finishes.</summary>
    private static async Task<OrchestrationMetadata?> WaitForFinishedInstanceAsync(DurableTaskClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.WaitForInstanceCompletionAsync(id, timeout.Token);
    }
}
