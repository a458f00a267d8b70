using System.Net.Http.Json;
using System.Text.Json;

namespace BackupFunctions.Tests.Support;

/// <summary>Polls GET /api/backup-jobs/{id} until the job leaves pending/running.</summary>
public static class JobPolling
{
    public static async Task<JsonElement> WaitForJobAsync(HttpClient http, string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement job = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/backup-jobs/{jobId}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            job = JsonDocument.Parse(body).RootElement.Clone();
            var status = job.GetProperty("status").GetString();
            if (status is "completed" or "completed_with_warnings" or "failed" or "cancelled" or "skipped")
                return job;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Job {jobId} did not finish within {timeout}; last state: {job}");
    }
    /// <summary>Polls GET /api/backups/{id} until <paramref name="done"/> holds (the backup row changes after background work).</summary>
    public static async Task<JsonElement> WaitForBackupAsync(HttpClient http, string backupId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement backup;
        do
        {
            backup = await http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
            if (done(backup))
                return backup;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Backup {backupId} did not get there within {timeout}: {backup}");
    }
}
