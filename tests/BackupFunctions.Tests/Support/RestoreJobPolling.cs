using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace BackupFunctions.Tests.Support;

/// <summary>Starts restores through the API and polls their jobs until they end.</summary>
public static class RestoreJobPolling
{
    /// <summary>POSTs the restore of <paramref name="backupId"/>, asserts 202 with the job's Location, and returns the job id.</summary>
    public static async Task<string> StartAsync(HttpClient http, string backupId, object options)
    {
        using var response = await http.PostAsJsonAsync($"api/backups/{backupId}/restore", options);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var answer = JsonDocument.Parse(body).RootElement;
        var id = answer.GetProperty("restoreJobId").GetString()!;
        Assert.Equal(backupId, answer.GetProperty("backupId").GetString());
        Assert.Equal($"/api/restore-jobs/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    public static async Task<JsonElement> WaitAsync(HttpClient http, string restoreJobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement job = default;
        while (DateTime.UtcNow < deadline)
        {
            job = await GetAsync(http, restoreJobId);
            if (job.GetProperty("status").GetString() is "completed" or "failed" or "cancelled" or "rolled_back")
                return job;
            await Task.Delay(200);
        }
        throw new TimeoutException($"Restore job {restoreJobId} did not end within {timeout}; last state: {job}");
    }

    public static async Task<JsonElement> GetAsync(HttpClient http, string restoreJobId)
    {
        using var response = await http.GetAsync($"api/restore-jobs/{restoreJobId}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The messages of the job's log, oldest first (the first 100).</summary>
    public static async Task<List<string>> LogAsync(HttpClient http, string restoreJobId)
    {
        var page = await http.GetFromJsonAsync<JsonElement>($"api/restore-jobs/{restoreJobId}/logs?pageSize=100");
        return [.. page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("message").GetString()!)];
    }
}
