using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupCli;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// GET /api/backups/{id}/download: one tar with <c>database.dump</c> (pg_restore reads and restores it) and the site
/// under <c>files/</c> (byte-exact, also for an incremental backup whose files are partly in earlier backups), its
/// length announced; a flipped byte in a stored part breaks the response instead of finishing a tar; and
/// <c>?format=stored</c> gives the stored objects, which backupctl restores once untarred.
/// </summary>
public sealed class BackupDownloadTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task The_tar_holds_a_dump_pg_restore_restores_and_the_site_files_byte_for_byte()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "dlcms");

        using var response = await host.Http.GetAsync($"api/backups/{cms.BackupId}/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType?.MediaType);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Matches(@"^dlcms-\d{4}-\d{2}-\d{2}-\d{6}\.tar$", disposition.FileName!.Trim('"'));
        var length = response.Content.Headers.ContentLength;
        var tar = host.Scratch("dl-tar") + ".tar";
        await SaveAsync(response, tar);
        Assert.Equal(new FileInfo(tar).Length, length);

        var extracted = Untar(tar, host.Scratch("dl-extracted"));
        Assert.Equal(FolderSnapshot.Take(cms.Site, FilesSource.DefaultComponents), FolderSnapshot.Take(Path.Combine(extracted, "files")));
        var dump = Path.Combine(extracted, "database.dump");
        var list = Run(PgTool("pg_restore"), "--list", dump);
        Assert.Contains("TABLE DATA", list, StringComparison.Ordinal);

        // The dump restores into an empty database as the one backed up.
        var restoredName = cms.NewDatabaseName("dlrestored");
        await cms.ExecuteAsync($"CREATE DATABASE \"{restoredName}\"", TestEnvironment.Postgres());
        var target = TestEnvironment.Postgres(restoredName);
        Run(PgTool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname",
            $"host={target.Host} port={target.Port} dbname={restoredName} user={target.Username} sslmode=verify-full sslrootcert={TestEnvironment.PostgresRootCert}", dump);
        var expected = await DatabaseSnapshot.TakeAsync(cms.Database);
        var actual = await DatabaseSnapshot.TakeAsync(target);
        Assert.Equal(expected.Tables, actual.Tables);
        Assert.Equal(expected.Sequences, actual.Sequences);
    }

    [Fact]
    public async Task An_incremental_backup_downloads_whole_with_the_files_its_base_holds()
    {
        var site = SampleCms.CreateSite(host.Scratch("dl-incr-site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "Incremental download",
            type = "incremental",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "dl-incr" },
        });
        await BackUpAsync(configId);
        await File.AppendAllTextAsync(Path.Combine(site, "themes", "twentytwenty", "style.css"), "a { color: red; }\n");
        File.Delete(Path.Combine(site, "uploads", "empty.txt"));
        await File.WriteAllTextAsync(Path.Combine(site, "plugins", "seo", "new.php"), "<?php // new\n");
        var second = await BackUpAsync(configId);
        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{second}");
        Assert.Equal("incremental", backup.GetProperty("type").GetString());
        Assert.NotEmpty(backup.GetProperty("referencedBackupIds").EnumerateArray());

        using var response = await host.Http.GetAsync($"api/backups/{second}/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tar = host.Scratch("dl-incr-tar") + ".tar";
        await SaveAsync(response, tar);
        Assert.Equal(new FileInfo(tar).Length, response.Content.Headers.ContentLength);

        var extracted = Untar(tar, host.Scratch("dl-incr-extracted"));
        Assert.False(File.Exists(Path.Combine(extracted, "database.dump")));
        Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), FolderSnapshot.Take(Path.Combine(extracted, "files")));
    }

    [Fact]
    public async Task A_flipped_byte_in_a_stored_volume_breaks_the_response_instead_of_ending_the_tar()
    {
        var site = SampleCms.CreateSite(host.Scratch("dl-flip-site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "flipped",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "dl-flip" },
        });
        var backupId = await BackUpAsync(configId);
        var volume = Directory.GetFiles(Path.Combine(host.LocalRoot, "dl-flip", "backups", backupId), "files-*.part").Order(StringComparer.Ordinal).Last();
        await using (var stream = new FileStream(volume, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = stream.Length / 2;
            var value = stream.ReadByte();
            stream.Position = stream.Length / 2;
            stream.WriteByte((byte)(value ^ 0x01));
        }

        using var response = await host.Http.GetAsync($"api/backups/{backupId}/download", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var announced = response.Content.Headers.ContentLength;
        Assert.NotNull(announced);
        long received = 0;
        var failure = await Record.ExceptionAsync(async () =>
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
                received += read;
        });
        Assert.True(failure is IOException or HttpRequestException, $"the download ended normally after {received} of {announced} bytes");
        Assert.True(received < announced);
        // The server says why (its log; the response could only be broken off).
        var logged = false;
        for (var i = 0; i < 50 && !logged; i++)
        {
            logged = host.Logs.Lines.Any(l => l.Contains($"Download of backup {backupId} stopped", StringComparison.Ordinal));
            if (!logged)
                await Task.Delay(100);
        }
        Assert.True(logged, "the failed download was not logged");
    }

    [Fact]
    public async Task The_stored_format_untarred_is_a_destination_backupctl_restores()
    {
        var site = SampleCms.CreateSite(host.Scratch("dl-stored-site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "stored copy",
            type = "incremental",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "dl-stored" },
        });
        await BackUpAsync(configId);
        await File.WriteAllTextAsync(Path.Combine(site, "config", "settings.php"), "<?php define('DB_NAME', 'zq-marker-7731');\n");
        var backupId = await BackUpAsync(configId);

        using var response = await host.Http.GetAsync($"api/backups/{backupId}/download?format=stored", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("-stored.tar", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), StringComparison.Ordinal);
        var tar = host.Scratch("dl-stored-tar") + ".tar";
        await SaveAsync(response, tar);
        Assert.Equal(new FileInfo(tar).Length, response.Content.Headers.ContentLength);
        var folder = Untar(tar, host.Scratch("dl-stored-folder"));
        // Encrypted as stored: the site's text is nowhere in the objects.
        Assert.True(File.Exists(Path.Combine(folder, "backups", backupId, "manifest.json")));
        Assert.DoesNotContain(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories),
            f => File.ReadAllText(f).Contains("zq-marker-7731", StringComparison.Ordinal));

        var target = host.Scratch("dl-stored-restored");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await BackupCtl.RunAsync(["restore", "--from", new Uri(folder).AbsoluteUri, backupId, "--to-dir", target, "--key-file", host.KeyFile],
            stdout, stderr, new Dictionary<string, string> { ["BACKUPCTL_PG_BIN"] = TestEnvironment.PostgresBinDirectory });
        Assert.True(exit == 0, stderr.ToString());
        Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), FolderSnapshot.Take(target));
    }

    [Fact]
    public async Task Unknown_backups_and_formats_are_refused()
    {
        using (var unknown = await host.Http.GetAsync("api/backups/00000-nope/download"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var format = await host.Http.GetAsync("api/backups/00000-nope/download?format=zip"))
            await ProblemAssert.NamesFieldAsync(format, "format");
    }

    private Task<string> BackUpAsync(string configId) => JobPolling.BackUpAsync(host.Http, configId);

    private static async Task SaveAsync(HttpResponseMessage response, string path)
    {
        await using var body = await response.Content.ReadAsStreamAsync();
        await using var file = File.Create(path);
        await body.CopyToAsync(file);
    }

    /// <summary>Extracts with GNU tar, as a user would: the archive must be one it reads.</summary>
    private static string Untar(string tar, string folder)
    {
        Directory.CreateDirectory(folder);
        Run("tar", "-xf", tar, "-C", folder);
        return folder;
    }

    private static string PgTool(string name)
        => TestEnvironment.PostgresBinDirectory.Length == 0 ? name : Path.Combine(TestEnvironment.PostgresBinDirectory, name);

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }
}
