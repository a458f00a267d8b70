using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using BackupFunctions.Timers;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// Verification on demand (POST /api/backups/{id}/verify) and on schedule, through the real app on the local host:
/// a good copy passes deep verification; a byte flipped in the stored copy is caught by quick and by deep verification,
/// marks the backup verification_failed and raises a critical alert.
/// </summary>
public sealed class VerificationTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    /// <summary>Files of <see cref="SampleCms.CreateSite"/> inside the default components.</summary>
    private const long SampleCmsFiles = 8;

    [Fact]
    public async Task A_flipped_byte_is_caught_by_quick_and_deep_verification_and_marks_the_backup_with_an_alert()
    {
        var backupId = await BackUpAsync("verify-flip");

        // Deep by default, every copy: the intact backup passes.
        using (var deep = await host.Http.PostAsync($"api/backups/{backupId}/verify", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, deep.StatusCode);
            var body = await deep.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("deep", body.GetProperty("level").GetString());
            Assert.Equal([0], body.GetProperty("copies").EnumerateArray().Select(c => c.GetInt32()));
        }
        var good = await WaitAsync(backupId, b => Primary(b).TryGetProperty("lastDeepVerifiedAt", out var at) && at.ValueKind == JsonValueKind.String);
        var goodDeep = Primary(good).GetProperty("lastVerification");
        Assert.True(goodDeep.GetProperty("ok").GetBoolean(), goodDeep.ToString());
        Assert.Equal("deep", goodDeep.GetProperty("level").GetString());
        Assert.Equal(SampleCmsFiles, goodDeep.GetProperty("files").GetInt64());
        Assert.Equal("completed", good.GetProperty("status").GetString());

        var part = Directory.EnumerateFiles(host.LocalRoot, "files-00001.part", SearchOption.AllDirectories)
            .Single(p => p.Contains(backupId, StringComparison.Ordinal));
        var bytes = await File.ReadAllBytesAsync(part);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(part, bytes);
        await WaitUntilIdleAsync(backupId);

        using (var quick = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/verify", new { level = "quick", location = 0 }))
            Assert.Equal(HttpStatusCode.Accepted, quick.StatusCode);
        var afterQuick = await WaitAsync(backupId, b => Primary(b).GetProperty("lastVerification").GetProperty("level").GetString() == "quick");
        var quickResult = Primary(afterQuick).GetProperty("lastVerification");
        Assert.False(quickResult.GetProperty("ok").GetBoolean());
        Assert.StartsWith("files-00001.part: ", quickResult.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("verification_failed", afterQuick.GetProperty("status").GetString());
        var alert = await AlertAsync(backupId, a => a.GetProperty("message").GetString()!.Contains("quick verification", StringComparison.Ordinal));
        Assert.Equal("verification_failed", alert.GetProperty("type").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal("open", alert.GetProperty("status").GetString());
        Assert.Contains("quick verification", alert.GetProperty("message").GetString(), StringComparison.Ordinal);

        var deepBefore = Primary(afterQuick).GetProperty("lastDeepVerifiedAt").GetDateTimeOffset();
        await WaitUntilIdleAsync(backupId);
        using (var deep = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/verify", new { level = "deep" }))
            Assert.Equal(HttpStatusCode.Accepted, deep.StatusCode);
        var afterDeep = await WaitAsync(backupId, b => Primary(b).GetProperty("lastVerification").GetProperty("level").GetString() == "deep");
        var deepResult = Primary(afterDeep).GetProperty("lastVerification");
        Assert.False(deepResult.GetProperty("ok").GetBoolean());
        Assert.StartsWith("files-00001.part: ", deepResult.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
        Assert.True(Primary(afterDeep).GetProperty("lastDeepVerifiedAt").GetDateTimeOffset() > deepBefore);
        Assert.Equal("verification_failed", afterDeep.GetProperty("status").GetString());
        alert = await AlertAsync(backupId, a => a.GetProperty("message").GetString()!.Contains("deep verification", StringComparison.Ordinal));
        Assert.Equal("open", alert.GetProperty("status").GetString());
        Assert.Contains("deep verification", alert.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field_and_start_nothing()
    {
        var backupId = await BackUpAsync("verify-bad");

        using var level = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/verify", new { level = "thorough" });
        using var location = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/verify", new { location = 3 });
        using var unknown = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/verify", new { depth = "deep" });
        using var missing = await host.Http.PostAsync("api/backups/0000000000000000000-nothing/verify", null);

        Assert.Equal(HttpStatusCode.BadRequest, level.StatusCode);
        Assert.Contains("\"level\"", await level.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, location.StatusCode);
        Assert.Contains("\"location\"", await location.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var client = host.Host.Services.GetRequiredService<DurableTaskClient>();
        Assert.Null(await client.GetInstanceAsync(Core.Verification.VerificationRequest.InstanceIdFor(backupId)));
    }

    [Fact]
    public async Task The_scheduled_run_deep_verifies_a_never_verified_copy()
    {
        var backupId = await BackUpAsync("verify-timer");
        var services = host.Host.Services;
        var timer = ActivatorUtilities.CreateInstance<DeepVerificationTimer>(services);

        var started = await timer.StartDueAsync(services.GetRequiredService<DurableTaskClient>(), DateTimeOffset.UtcNow, default);

        Assert.Contains(started, t => t.BackupId == backupId && t.Index == 0);
        var verified = await WaitAsync(backupId, b => Primary(b).TryGetProperty("lastDeepVerifiedAt", out var at) && at.ValueKind == JsonValueKind.String);
        Assert.True(Primary(verified).GetProperty("lastVerification").GetProperty("ok").GetBoolean());

        // Verified just now: the next run leaves it alone.
        await WaitUntilIdleAsync(backupId);
        var again = await timer.StartDueAsync(services.GetRequiredService<DurableTaskClient>(), DateTimeOffset.UtcNow, default);
        Assert.DoesNotContain(again, t => t.BackupId == backupId);
    }

    private static JsonElement Primary(JsonElement backup) => backup.GetProperty("locations")[0];

    private async Task<string> BackUpAsync(string name)
    {
        var storage = await host.CreateStorageAsync(new { name, type = "local", settings = new { path = TestEnvironment.UniqueName(name) } });
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name,
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { storageId = storage, prefix = "site" },
        });
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        return jobId;
    }

    private Task<JsonElement> WaitAsync(string backupId, Func<JsonElement, bool> done) =>
        JobPolling.WaitForBackupAsync(host.Http, backupId, done, TimeSpan.FromMinutes(2));

    /// <summary>The row is written by the orchestration's last activity; the instance completes just after.</summary>
    private async Task WaitUntilIdleAsync(string backupId)
    {
        var client = host.Host.Services.GetRequiredService<DurableTaskClient>();
        var id = Core.Verification.VerificationRequest.InstanceIdFor(backupId);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (await client.GetInstanceAsync(id) is { IsCompleted: false })
        {
            Assert.True(DateTime.UtcNow < deadline, $"verification {id} did not finish");
            await Task.Delay(100);
        }
    }

    private Task<JsonElement> AlertAsync(string backupId, Func<JsonElement, bool> done) =>
        JobPolling.WaitForAlertAsync(host.Http, backupId, done, TimeSpan.FromSeconds(30));
}
