using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary><c>backupctl storage test</c>: each step of the connection test, the failure kind, and throughput.</summary>
public sealed class StorageTestCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("bf-storage-test-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_working_destination_passes_every_step_measures_throughput_and_is_left_clean()
    {
        var target = Directory.CreateDirectory(_folder.Combine("dest")).FullName;

        var result = await Cli.RunAsync("storage", "test", "--to", Cli.FileUri(target), "--size-mb", "8", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(json.GetProperty("probe").GetProperty("ok").GetBoolean());
        Assert.Equal(["configure", "write", "read", "list", "delete"],
            json.GetProperty("probe").GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));
        Assert.Equal(8L * 1024 * 1024, json.GetProperty("throughput").GetProperty("bytes").GetInt64());
        Assert.True(json.GetProperty("throughput").GetProperty("uploadMBps").GetDouble() > 0);
        Assert.Empty(Directory.GetFiles(target, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_server_that_is_down_fails_at_the_write_step_as_a_network_failure()
    {
        var environment = new Dictionary<string, string> { [DestinationUri.FtpPasswordVariable] = FtpTestServer.Password };

        // Port 9 (discard) is closed on loopback: like a stopped server.
        var result = await Cli.RunAsync(environment, "storage", "test", "--to", $"ftp://{FtpTestServer.User}@127.0.0.1:9/backups");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("step 'write' (Network)", result.Stderr, StringComparison.Ordinal);
    }
}
