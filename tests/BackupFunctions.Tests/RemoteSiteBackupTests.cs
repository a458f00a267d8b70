using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// Issue 16 item 1, through the API: a CMS whose uploads live in a blob container (Azurite) and whose themes live on
/// the CMS host (sshd) is backed up in full, then incrementally (only what changed is stored), and each backup
/// downloaded is the site as it was.
/// </summary>
public sealed class RemoteSiteBackupTests(SiteSourcesHostFixture host) : IClassFixture<SiteSourcesHostFixture>, IAsyncLifetime
{
    private readonly BlobContainerClient _container =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("cmssite"));

    private readonly string _remote = Path.Combine(Path.GetDirectoryName(SftpServer.KeyFile)!, "home", TestEnvironment.UniqueName("cmshost"));

    public Task InitializeAsync() => _container.CreateIfNotExistsAsync();

    public async Task DisposeAsync()
    {
        await _container.DeleteIfExistsAsync();
        if (Directory.Exists(_remote))
            Directory.Delete(_remote, recursive: true);
    }

    [Fact]
    public async Task Uploads_in_blob_and_themes_over_sftp_back_up_full_then_incremental_and_download_as_the_site()
    {
        // The site as it should come back: a local mirror of both sources.
        var mirror = host.Scratch("remote-site-mirror");
        var files = new Dictionary<string, string>
        {
            ["uploads/2024/01/photo.jpg"] = new string('j', 50_000),
            ["uploads/2024/doc.pdf"] = "pdf",
            ["uploads/readme.txt"] = "uploads",
            ["themes/twentytwenty/style.css"] = "body { }",
            ["themes/twentytwenty/functions.php"] = "<?php",
            ["themes/child/style.css"] = "child",
        };
        foreach (var (path, text) in files)
            await PutAsync(mirror, path, text);
        Directory.CreateDirectory(_remote);
        Run("cp", "-a", Path.Combine(mirror, "themes"), _remote);

        var configId = await host.CreateConfigAsync(new
        {
            name = "cms in the cloud",
            type = "incremental",
            files = MixedSite(),
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "remote-site" },
        });
        var config = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
        Assert.Equal("azureBlob", config.GetProperty("files").GetProperty("source").GetProperty("type").GetString());
        Assert.Equal("themes", config.GetProperty("files").GetProperty("components")[1].GetProperty("name").GetString());
        Assert.DoesNotContain(SftpServer.Password, config.ToString(), StringComparison.Ordinal);

        // The config test opens each component's source as a backup would.
        using (var tested = await host.Http.PostAsync($"api/backup-configs/{configId}/test", null))
        {
            var report = await tested.Content.ReadFromJsonAsync<JsonElement>();
            var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
            Assert.True(checks["files.components[0]"].GetProperty("ok").GetBoolean(), checks["files.components[0]"].ToString());
            Assert.True(checks["files.components[1]"].GetProperty("ok").GetBoolean(), checks["files.components[1]"].ToString());
        }

        var first = await JobPolling.BackUpAsync(host.Http, configId);
        Assert.Equal(FolderSnapshot.Take(mirror), await DownloadAsync(first));

        // One file changed in each source, one added to the container.
        await PutAsync(mirror, "uploads/readme.txt", "uploads, changed");
        await PutAsync(mirror, "uploads/2024/new.png", "png");
        await PutAsync(mirror, "themes/child/style.css", "child, changed");
        File.Copy(Path.Combine(mirror, "themes", "child", "style.css"), Path.Combine(_remote, "themes", "child", "style.css"), overwrite: true);
        File.SetLastWriteTimeUtc(Path.Combine(_remote, "themes", "child", "style.css"), DateTime.UtcNow.AddMinutes(1));
        var second = await JobPolling.BackUpAsync(host.Http, configId);

        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{second}");
        Assert.Equal("incremental", backup.GetProperty("type").GetString());
        Assert.Equal(first, backup.GetProperty("baseBackupId").GetString());
        var comparison = backup.GetProperty("comparison");
        Assert.Equal(2, comparison.GetProperty("modifiedFiles").GetInt64());
        Assert.Equal(1, comparison.GetProperty("addedFiles").GetInt64());
        Assert.Equal(0, comparison.GetProperty("deletedFiles").GetInt64());
        Assert.Equal(files.Count - 2, comparison.GetProperty("unchangedFiles").GetInt64());
        Assert.Equal(FolderSnapshot.Take(mirror), await DownloadAsync(second));
    }

    [Fact]
    public async Task A_site_in_a_blob_container_is_restored_in_place_through_the_api()
    {
        var files = new Dictionary<string, string>
        {
            ["wp-content/uploads/2024/photo.jpg"] = new string('p', 40_000),
            ["wp-content/uploads/readme.txt"] = "uploads",
            ["wp-content/themes/main/style.css"] = "body { }",
        };
        foreach (var (name, text) in files)
            await _container.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), overwrite: true);
        // Beside the site's prefix: never touched by the restore.
        await _container.GetBlobClient("other/keep.txt").UploadAsync(BinaryData.FromString("keep"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "cms in blob",
            files = new
            {
                source = new { type = "azureBlob", connectionSetting = SiteSourcesHostFixture.BlobReference, container = _container.Name, prefix = "wp-content" },
                components = new[] { "uploads", "themes" },
            },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "blob-site" },
        });
        var backupId = await JobPolling.BackUpAsync(host.Http, configId);

        // The live site changes after the backup: a file rewritten, one deleted, one added.
        await _container.GetBlobClient("wp-content/uploads/readme.txt").UploadAsync(BinaryData.FromString("defaced"), overwrite: true);
        await _container.GetBlobClient("wp-content/themes/main/style.css").DeleteAsync();
        await _container.GetBlobClient("wp-content/uploads/dropped.php").UploadAsync(BinaryData.FromString("<?php evil"));

        var id = await RestoreJobPolling.StartAsync(host.Http, backupId, new { });
        var job = await RestoreJobPolling.WaitAsync(host.Http, id, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

        var now = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in _container.GetBlobsAsync())
            now[blob.Name] = (await _container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
        var expected = new SortedDictionary<string, string>(files, StringComparer.Ordinal) { ["other/keep.txt"] = "keep" };
        Assert.Equal(expected, now);
        // The state the restore replaced was backed up first (the way back where Blob cannot swap folders).
        Assert.NotEqual(JsonValueKind.Null, job.GetProperty("preRestoreBackupId").ValueKind);

        // A preview that cannot list the site says so instead of answering without the files.
        await _container.DeleteAsync();
        using var preview = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/restore", new { dryRun = true });
        var body = await preview.Content.ReadAsStringAsync();
        Assert.True(preview.StatusCode == HttpStatusCode.Conflict, body);
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString();
        Assert.StartsWith("The site's files could not be read", detail, StringComparison.Ordinal);
        // In our words and the service's code, never the text it sent back.
        Assert.Contains("404 (ContainerNotFound)", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestId", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_in_blob_and_themes_over_sftp_are_restored_in_place_through_the_api()
    {
        var mirror = host.Scratch("mixed-site-mirror");
        await PutAsync(mirror, "uploads/2024/photo.jpg", new string('q', 30_000));
        await PutAsync(mirror, "uploads/readme.txt", "uploads");
        await PutAsync(mirror, "themes/main/style.css", "body { }");
        await PutAsync(mirror, "themes/main/functions.php", "<?php");
        Directory.CreateDirectory(_remote);
        Run("cp", "-a", Path.Combine(mirror, "themes"), _remote);
        // The SFTP user writes the restore's staging beside the components: the site root must be theirs to write.
        Run("chmod", "-R", "a+rwX", _remote);
        var configId = await host.CreateConfigAsync(new
        {
            name = "mixed places",
            files = MixedSite(),
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "mixed-site" },
        });
        var backupId = await JobPolling.BackUpAsync(host.Http, configId);
        var blobsBefore = await BlobsAsync();
        var themesBefore = FolderSnapshot.Take(Path.Combine(_remote, "themes"));

        // Both places change after the backup.
        await _container.GetBlobClient("wp-content/uploads/readme.txt").UploadAsync(BinaryData.FromString("defaced"), overwrite: true);
        await _container.GetBlobClient("wp-content/uploads/dropped.php").UploadAsync(BinaryData.FromString("<?php evil"));
        await File.WriteAllTextAsync(Path.Combine(_remote, "themes", "main", "style.css"), "defaced");
        await File.WriteAllTextAsync(Path.Combine(_remote, "themes", "main", "dropped.php"), "<?php evil");
        File.Delete(Path.Combine(_remote, "themes", "main", "functions.php"));
        var blobsChanged = await BlobsAsync();
        var themesChanged = FolderSnapshot.Take(Path.Combine(_remote, "themes"));

        // The preview reads both places' listings and lists exactly what the restore undoes, changing nothing. readme.txt
        // kept its size: its new modification time tells it apart (a remote file is never read by a preview).
        var files = (await RestorePreviewJson.PreviewAsync(host.Http, backupId)).GetProperty("files");
        Assert.Equal(["themes/main/functions.php"], RestorePreviewJson.Paths(files, "create"));
        Assert.Equal(["themes/main/style.css", "uploads/readme.txt"], RestorePreviewJson.Paths(files, "overwrite"));
        Assert.Equal(["themes/main/dropped.php", "uploads/dropped.php"], RestorePreviewJson.Paths(files, "delete"));
        Assert.Equal(["themes", "themes/main", "uploads", "uploads/2024", "uploads/2024/photo.jpg"], RestorePreviewJson.Paths(files, "unchanged"));
        Assert.Equal(blobsChanged, await BlobsAsync());
        Assert.Equal(themesChanged, FolderSnapshot.Take(Path.Combine(_remote, "themes")));

        // Restore jobs that died left their staging in both places (no journal: nothing was swapped); the next restore's
        // start removes them.
        await _container.GetBlobClient("wp-content/.bf-restore-job-dead-1/ready/uploads/x.txt").UploadAsync(BinaryData.FromString("staged"));
        Directory.CreateDirectory(Path.Combine(_remote, ".bf-restore-job-dead-2", "ready"));
        Run("chmod", "-R", "a+rwX", _remote);

        var id = await RestoreJobPolling.StartAsync(host.Http, backupId, new { });
        var job = await RestoreJobPolling.WaitAsync(host.Http, id, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

        Assert.Equal(blobsBefore, await BlobsAsync());
        Assert.Equal(themesBefore, FolderSnapshot.Take(Path.Combine(_remote, "themes")));
        var log = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs/{id}/logs?pageSize=100");
        var leftovers = log.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("message").GetString() == "Leftover of an earlier restore found")
            .Select(e => (e.GetProperty("context").GetProperty("restoreJobId").GetString(), e.GetProperty("context").GetProperty("outcome").GetString()))
            .Order().ToList();
        Assert.Equal([("job-dead-1", "rolled back"), ("job-dead-2", "rolled back")], leftovers);
        // Each place's staging and set-aside folders (the dead jobs' too) are gone.
        Assert.Equal(["themes"], Directory.GetFileSystemEntries(_remote).Select(Path.GetFileName));
        Assert.DoesNotContain(blobsBefore.Keys.Concat((await BlobsAsync()).Keys), n => n.Contains(".bf-restore-", StringComparison.Ordinal));
    }

    /// <summary>The site's files: uploads in the test's blob container under wp-content/, themes on the sshd host.</summary>
    private object MixedSite() => new
    {
        source = new { type = "azureBlob", connectionSetting = SiteSourcesHostFixture.BlobReference, container = _container.Name, prefix = "wp-content" },
        components = new object[]
        {
            "uploads",
            new
            {
                name = "themes",
                source = new
                {
                    type = "sftp", host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User,
                    hostKeyFingerprint = SftpServer.HostKey, passwordSetting = SiteSourcesHostFixture.SftpPasswordReference, root = _remote,
                },
            },
        },
    };

    private async Task<SortedDictionary<string, string>> BlobsAsync()
    {
        var blobs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in _container.GetBlobsAsync())
            blobs[blob.Name] = (await _container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
        return blobs;
    }

    /// <summary>Writes a file into the mirror and, for uploads, into the container.</summary>
    private async Task PutAsync(string mirror, string path, string text)
    {
        var full = Path.Combine(mirror, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, text);
        if (path.StartsWith("uploads/", StringComparison.Ordinal))
            await _container.GetBlobClient("wp-content/" + path).UploadAsync(BinaryData.FromString(text), overwrite: true);
    }

    private async Task<SortedDictionary<string, string>> DownloadAsync(string backupId)
    {
        using var response = await host.Http.GetAsync($"api/backups/{backupId}/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tar = host.Scratch("remote-site-tar") + ".tar";
        await using (var body = await response.Content.ReadAsStreamAsync())
        await using (var file = File.Create(tar))
            await body.CopyToAsync(file);
        var extracted = host.Scratch("remote-site-extracted");
        Directory.CreateDirectory(extracted);
        Run("tar", "-xf", tar, "-C", extracted);
        return FolderSnapshot.Take(Path.Combine(extracted, "files"));
    }

    private static void Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr}");
    }
}
