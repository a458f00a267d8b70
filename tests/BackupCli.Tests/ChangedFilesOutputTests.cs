using System.Text;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>backupctl backup of a live site: a log that grows during the backup is named, and the backup succeeds.</summary>
public sealed class ChangedFilesOutputTests : IDisposable
{
    private const string LogPath = "uploads/logs/debug.log";

    private readonly TempFolder _folder = new("bf-cli-changed-");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_log_growing_during_the_backup_is_named_and_the_backup_succeeds(bool json)
    {
        var site = _folder.Combine("site");
        var log = Path.Combine(site, LogPath);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await File.WriteAllBytesAsync(log, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("2026-01-01 request served\n", 1_000_000))));
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "a.txt"), "unchanged");
        var key = _folder.Combine("backup.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        var destination = Cli.FileUri(_folder.Combine("dest-" + json));

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var stream = new FileStream(log, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            while (!stop.IsCancellationRequested)
            {
                await stream.WriteAsync("2026-01-01 another request\n"u8.ToArray());
                await stream.FlushAsync();
                await Task.Delay(1);
            }
        });
        CliResult result;
        try
        {
            result = await Cli.RunAsync(["backup", "--to", destination, "--site", site, "--key-file", key, .. json ? new[] { "--json" } : []]);
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }

        Assert.True(result.ExitCode == 0, result.ToString());
        if (json)
        {
            var output = result.Json();
            var changed = Assert.Single(output.GetProperty("changedFiles").EnumerateArray());
            Assert.Equal(LogPath, changed.GetProperty("path").GetString());
            Assert.Equal("grew", changed.GetProperty("change").GetString());
            Assert.Equal(1, output.GetProperty("statistics").GetProperty("changedFiles").GetInt64());
        }
        else
        {
            Assert.Contains("1 files changed while they were archived:", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("  grew     " + LogPath, result.Stderr, StringComparison.Ordinal);
        }
    }
}
