using System.Net.Http.Json;
using System.Text.Json;

namespace BackupFunctions.Tests.Support;

/// <summary>Polls the API until background work shows: a job leaving pending/running, a backup row or an alert changing.</summary>
public static class JobPolling
{
    /// <summary>Starts a backup of <paramref name="configId"/> (asserting 202), waits for it and asserts it completed; its job id.</summary>
    public static async Task<string> BackUpAsync(HttpClient http, string configId)
    {
        using var response = await http.PostAsJsonAsync("api/backups", new { configId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
        var job = await WaitForJobAsync(http, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        return jobId;
    }

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

    /// <summary>
    /// Polls GET /api/backup-alerts until the backup's alert exists and <paramref name="done"/> holds. A backup row is
    /// written before its alert, so a client can see the row's new status a moment before the alert says why.
    /// </summary>
    public static async Task<JsonElement> WaitForAlertAsync(HttpClient http, string backupId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement alert;
        do
        {
            var alerts = await http.GetFromJsonAsync<JsonElement>("api/backup-alerts?pageSize=100");
            alert = alerts.GetProperty("items").EnumerateArray().SingleOrDefault(a => a.GetProperty("backupId").GetString() == backupId);
            if (alert.ValueKind == JsonValueKind.Object && done(alert))
                return alert;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"The alert of backup {backupId} did not get there within {timeout}: {alert}");
    }
}
