using BackupCli.Tests.Support;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace BackupCli.Tests;

/// <summary>
/// A destination that serves a manifest.json of hostile size — 100 MB of JSON whitespace before the real manifest, so
/// that a reader that takes it whole would even parse it — is refused by every reader of manifests with an integrity
/// error, after reading at most the cap (16 MiB), never the whole object.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HostileManifestTests(LocalBackupFixture fixture, ITestOutputHelper output) : IClassFixture<LocalBackupFixture>
{
    private const long HostileBytes = 100_000_000;

    /// <summary>What one refusal may allocate: the cap (and its buffer's growth), far below the object's size.</summary>
    private const long MaxAllocated = 64L << 20;

    private CmsSource Source => fixture.Source;

    [Fact]
    public async Task A_manifest_of_hostile_size_is_refused_by_every_reader_without_being_read_whole()
    {
        var copy = fixture.CopyDestination();
        var manifest = fixture.PartPath(copy, ObjectNames.Manifest);
        var original = await File.ReadAllBytesAsync(manifest);
        await using (var output = File.Create(manifest))
        {
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (long written = 0; written < HostileBytes; written += spaces.Length)
                await output.WriteAsync(spaces);
            await output.WriteAsync(original);
        }
        var from = Cli.FileUri(copy);
        var target = Source.NewFolder("hostile");
        await using var database = TestDatabase.Reserve("bfclihostile");

        string[][] commands =
        [
            ["ls", "--from", from],
            ["verify", "--from", from, fixture.BackupId],
            ["verify", "--from", from, fixture.BackupId, "--key-file", Source.KeyFile],
            ["verify", "--from", from, fixture.BackupId, "--read-data", "--key-file", Source.KeyFile],
            ["restore", "--from", from, fixture.BackupId, "--to-dir", target, "--key-file", Source.KeyFile],
            ["restore", "--from", from, fixture.BackupId, "--to-db", database.ConnectionString, "--key-file", Source.KeyFile],
            ["restore", "--from", from, fixture.BackupId, "--to-dir", target, "--dry-run", "--key-file", Source.KeyFile],
        ];
        foreach (var args in commands)
        {
            var (result, allocated) = await MeasureAsync(() => Cli.RunAsync(args), "backupctl " + string.Join(' ', args.Take(args[0] == "ls" ? 1 : 6).Where(a => !a.StartsWith("file:", StringComparison.Ordinal))));
            Assert.True(result.ExitCode == 3, $"{string.Join(' ', args)}: {result}");
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains("manifest.json: larger than 16 MiB, the most a manifest may be", line, StringComparison.Ordinal);
            Assert.True(allocated < MaxAllocated, $"{string.Join(' ', args)} allocated {allocated} bytes");
        }
        Assert.False(Directory.Exists(target));
        Assert.False(await database.ExistsAsync());

        // The engine's readers: quick and deep verification, replication, restore.
        var store = new LocalFolderStore(copy);
        var folder = ObjectNames.BackupFolder("", fixture.BackupId);
        var tools = new PostgresToolsOptions { BinDirectory = TestEnvironment.PostgresBinDirectory };
        var key = new LocalKeyFileKek(Source.KeyFile);

        var (quick, quickAllocated) = await MeasureAsync(() => new QuickVerifier(TimeProvider.System).VerifyAsync(store, folder, null, CancellationToken.None), "QuickVerifier");
        Assert.False(quick.Ok);
        Assert.Contains("manifest.json: larger than 16 MiB", Assert.Single(quick.Problems), StringComparison.Ordinal);
        Assert.True(quickAllocated < MaxAllocated, $"quick verification allocated {quickAllocated} bytes");

        var (deep, deepAllocated) = await MeasureAsync(() => new DeepVerifier(new PostgresRestorer(tools), TimeProvider.System)
            .VerifyAsync(store, folder, fixture.BackupId, key, allowUnencrypted: false, CancellationToken.None), "DeepVerifier");
        Assert.False(deep.Ok);
        Assert.StartsWith("manifest.json: larger than 16 MiB", Assert.Single(deep.Problems), StringComparison.Ordinal);
        Assert.True(deepAllocated < MaxAllocated, $"deep verification allocated {deepAllocated} bytes");

        using var replica = new TempFolder("bf-cli-replica-");
        var (replication, replicationAllocated) = await MeasureAsync(() => Assert.ThrowsAsync<IntegrityException>(
            () => BackupReplicator.CopyAsync(store, folder, new LocalFolderStore(replica.Path), folder, CancellationToken.None)), "BackupReplicator");
        Assert.Contains("manifest.json: larger than 16 MiB", replication.Message, StringComparison.Ordinal);
        Assert.True(replicationAllocated < MaxAllocated, $"replication allocated {replicationAllocated} bytes");
        Assert.Empty(Directory.GetFileSystemEntries(replica.Path));

        var runner = new RestoreRunner(key, new PostgresRestorer(tools), new PostgresDumper(tools), NullLogger<RestoreRunner>.Instance);
        var (restore, restoreAllocated) = await MeasureAsync(() => Assert.ThrowsAsync<IntegrityException>(
            () => runner.RestoreAsync(new RestoreRequest(store, "", fixture.BackupId, target, null), CancellationToken.None)), "RestoreRunner");
        Assert.Equal(folder + ObjectNames.Manifest, restore.ObjectName);
        Assert.True(restoreAllocated < MaxAllocated, $"RestoreRunner allocated {restoreAllocated} bytes");
        Assert.False(Directory.Exists(target));
    }

    /// <summary>The result and the bytes the whole process allocated meanwhile (the collection runs alone).</summary>
    private async Task<(T Result, long Allocated)> MeasureAsync<T>(Func<Task<T>> run, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(run))] string what = "")
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await run();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"{allocated / 1024.0 / 1024.0:F1} MiB allocated by {what}");
        return (result, allocated);
    }
}
