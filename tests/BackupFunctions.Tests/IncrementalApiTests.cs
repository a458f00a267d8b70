using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// The backup's type through the API: a config of type incremental makes a full backup first, then an incremental on
/// it; the jobs and the backups say which, with the base, the backups referenced and the comparison's counts. Real
/// local host, PostgreSQL and Azurite.
/// </summary>
public sealed class IncrementalApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Jobs_and_backups_show_the_type_the_base_the_references_and_the_counts()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cms"));
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "Incremental CMS",
            type = "incremental",
            database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username },
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "incr-api" },
        });

        var first = await BackUpAsync(configId);
        var firstJob = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{first}");
        Assert.Equal("full", firstJob.GetProperty("type").GetString());
        var firstBackup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{first}");
        Assert.Equal("full", firstBackup.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, firstBackup.GetProperty("baseBackupId").ValueKind);
        Assert.Empty(firstBackup.GetProperty("referencedBackupIds").EnumerateArray());

        await File.AppendAllTextAsync(Path.Combine(site, "themes", "twentytwenty", "style.css"), "a { color: red; }\n");
        var second = await BackUpAsync(configId);

        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{second}");
        Assert.Equal("incremental", job.GetProperty("type").GetString());
        Assert.Equal(first, job.GetProperty("baseBackupId").GetString());
        Assert.Equal(1, job.GetProperty("comparison").GetProperty("modifiedFiles").GetInt64());
        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{second}");
        Assert.Equal("incremental", backup.GetProperty("type").GetString());
        Assert.Equal(first, backup.GetProperty("baseBackupId").GetString());
        Assert.Equal([first], backup.GetProperty("referencedBackupIds").EnumerateArray().Select(e => e.GetString()));
        var comparison = backup.GetProperty("comparison");
        Assert.Equal(1, comparison.GetProperty("modifiedFiles").GetInt64());
        Assert.Equal(0, comparison.GetProperty("addedFiles").GetInt64());
        Assert.Equal(0, comparison.GetProperty("deletedFiles").GetInt64());
        Assert.Equal(backup.GetProperty("statistics").GetProperty("files").GetInt64() - 1, comparison.GetProperty("unchangedFiles").GetInt64());
        // The quick verification after the backup checked the referenced volumes too, and passed.
        var verification = backup.GetProperty("locations")[0].GetProperty("lastVerification");
        Assert.True(verification.GetProperty("ok").GetBoolean(), verification.ToString());
        Assert.True(verification.GetProperty("objects").GetInt32() > firstBackup.GetProperty("locations")[0].GetProperty("lastVerification").GetProperty("objects").GetInt32());
    }

    private Task<string> BackUpAsync(string configId) => JobPolling.BackUpAsync(host.Http, configId);
}
