using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Npgsql;

namespace BackupFunctions.Tests;

/// <summary>
/// A cancel that lands while the restored files are swapped in ends <c>rolled_back</c> with nothing half restored.
/// </summary>
/// <remarks>
/// How the cancel lands during the swap, honestly: another session holds a lock on <c>posts</c>, so after the
/// component folders are swapped the job waits in its database step (up to the default 30 s lock timeout). The test
/// watches the live site until it shows the backup's files (the swap happened), then cancels. The job must end
/// <c>rolled_back</c> well before the lock timeout (so it was the cancel, not the lock), with the live site and database
/// as they were before the restore.
/// </remarks>
public sealed class RestoreCancelTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_cancel_during_the_file_swap_ends_rolled_back_with_nothing_half_restored()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rcancel");
        await RestoreChanges.ApplyAsync(cms);
        var treeBefore = LiveState.Tree(cms.Site);
        var dumpBefore = await LiveState.DumpAsync(cms.Database);

        await using (var holder = new NpgsqlConnection(SampleCms.ConnectionString(cms.Database)))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN SHARE MODE", holder, transaction))
                await lockPosts.ExecuteNonQueryAsync();

            var id = await RestoreJobPolling.StartAsync(host.Http, cms.BackupId, new { createPreRestoreBackup = false });
            // While it runs the config is taken: another restore and a backup are refused, saying which job runs.
            using (var second = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore", new { createPreRestoreBackup = false }))
            {
                var body = await second.Content.ReadAsStringAsync();
                Assert.True(second.StatusCode == HttpStatusCode.Conflict, body);
                Assert.Contains(id, body, StringComparison.Ordinal);
            }
            using (var backup = await host.Http.PostAsJsonAsync("api/backups", new { configId = cms.ConfigId }))
                Assert.True(backup.StatusCode == HttpStatusCode.Conflict, await backup.Content.ReadAsStringAsync());
            var swapped = Stopwatch.StartNew();
            while (!(File.Exists(Path.Combine(cms.Site, "themes/twentytwenty/style.css")) && !File.Exists(Path.Combine(cms.Site, "uploads/added.txt"))))
            {
                var state = await RestoreJobPolling.GetAsync(host.Http, id);
                Assert.True(state.GetProperty("status").GetString() is "pending" or "running", $"the job ended before its files were swapped in: {state}");
                Assert.True(swapped.Elapsed < TimeSpan.FromMinutes(2), $"the files were not swapped in within 2 minutes: {state}");
                await Task.Delay(20);
            }

            var cancelled = Stopwatch.StartNew();
            using (var cancel = await host.Http.PostAsync($"api/restore-jobs/{id}/cancel", null))
                Assert.True(cancel.StatusCode == HttpStatusCode.Accepted, await cancel.Content.ReadAsStringAsync());
            var job = await RestoreJobPolling.WaitAsync(host.Http, id, TimeSpan.FromMinutes(2));
            var log = await RestoreJobPolling.LogAsync(host.Http, id);
            Assert.True(job.GetProperty("status").GetString() == "rolled_back", job + "\n" + string.Join("\n", log));
            Assert.True(job.GetProperty("cancelRequested").GetBoolean());
            Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(25), $"the job ended {cancelled.Elapsed} after the cancel: the lock timeout, not the cancel, ended it");
        }

        Assert.Equal(treeBefore, LiveState.Tree(cms.Site));
        Assert.Equal(dumpBefore, await LiveState.DumpAsync(cms.Database));
    }
}
