using BackupCli.Tests.Support;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCli.Tests;

/// <summary>
/// One verdict for one kind of damage, whichever command meets it: a part the manifest lists that is missing is an
/// integrity failure (exit 3) for ls, verify (quick and --read-data) and restore, and for the engine's RestoreRunner;
/// restore checks every part's plainSize as verify --read-data does; verify checks the manifest's MAC whenever it is
/// given a key.
/// </summary>
public sealed class IntegrityConsistencyTests(LocalBackupFixture fixture) : IClassFixture<LocalBackupFixture>
{
    private CmsSource Source => fixture.Source;

    [Theory]
    [InlineData(ObjectNames.Database)]
    [InlineData(ObjectNames.FirstFilesVolume)]
    [InlineData(ObjectNames.Index)]
    public async Task A_part_missing_from_the_destination_is_an_integrity_failure_everywhere(string part)
    {
        var copy = fixture.CopyDestination();
        File.Delete(fixture.PartPath(copy, part));
        var from = Cli.FileUri(copy);

        var ls = await Cli.RunAsync("ls", "--from", from, "--json");
        Assert.True(ls.ExitCode == 3, ls.ToString());
        var listed = Assert.Single(ls.Json().GetProperty("backups").EnumerateArray());
        Assert.Equal("damaged", listed.GetProperty("status").GetString());
        Assert.Equal($"{part}: listed in the manifest but missing from the destination", listed.GetProperty("problem").GetString());
        Assert.Contains(part, Assert.Single(ls.ErrorLines), StringComparison.Ordinal);

        string[][] verifies =
        [
            ["verify", "--from", from, fixture.BackupId],
            ["verify", "--from", from, fixture.BackupId, "--key-file", Source.KeyFile],
            ["verify", "--from", from, fixture.BackupId, "--read-data", "--key-file", Source.KeyFile],
        ];
        foreach (var args in verifies)
        {
            var verify = await Cli.RunAsync(args);
            Assert.True(verify.ExitCode == 3, verify.ToString());
            Assert.Contains($"{part}: listed in the manifest but missing", Assert.Single(verify.ErrorLines), StringComparison.Ordinal);
        }

        // Whatever the restore was asked for: files alone, the database alone, both, or a dry run.
        var target = Source.NewFolder("missing");
        await using var database = TestDatabase.Reserve("bfclimissing");
        string[][] restores =
        [
            ["--to-dir", target],
            ["--to-db", database.ConnectionString],
            ["--to-dir", target, "--to-db", database.ConnectionString],
            ["--to-dir", target, "--dry-run"],
        ];
        foreach (var into in restores)
        {
            var restore = await Cli.RunAsync(["restore", "--from", from, fixture.BackupId, .. into, "--key-file", Source.KeyFile]);
            Assert.True(restore.ExitCode == 3, restore.ToString());
            Assert.Contains($"{part}: listed in the manifest but missing from the destination", Assert.Single(restore.ErrorLines), StringComparison.Ordinal);
            Assert.False(Directory.Exists(target));
            Assert.False(await database.ExistsAsync());
        }

        // The engine's restore, as the service runs it, says the same.
        var tools = new PostgresToolsOptions { BinDirectory = TestEnvironment.PostgresBinDirectory };
        var runner = new RestoreRunner(new LocalKeyFileKek(Source.KeyFile), new PostgresRestorer(tools), new PostgresDumper(tools), NullLogger<RestoreRunner>.Instance);
        var error = await Assert.ThrowsAsync<IntegrityException>(() => runner.RestoreAsync(
            new RestoreRequest(new LocalFolderStore(copy), "", fixture.BackupId, target, null), CancellationToken.None));
        Assert.Equal($"backups/{fixture.BackupId}/{part}", error.ObjectName);
        Assert.False(Directory.Exists(target));
    }

    [Theory]
    [InlineData(ObjectNames.FirstFilesVolume, -1)]
    [InlineData(ObjectNames.FirstFilesVolume, +1)]
    [InlineData(ObjectNames.Index, -1)]
    [InlineData(ObjectNames.Index, +1)]
    [InlineData(ObjectNames.Database, +1)]
    public async Task Restore_checks_each_parts_plain_size_against_the_manifest(string part, int delta)
    {
        // An authentic manifest (MAC made with the data key, as a faulty writer would) that gets one part's size wrong.
        var copy = fixture.CopyDestination();
        await RewriteManifestAsync(copy, m => m with
        {
            Objects = [.. m.Objects.Select(o => o.Name == part ? o with { PlainSize = o.PlainSize + delta } : o)],
        });
        var from = Cli.FileUri(copy);
        var target = Source.NewFolder("plainsize");
        await using var database = TestDatabase.Reserve("bfcliplain");

        var restore = await Cli.RunAsync(
            "restore", "--from", from, fixture.BackupId, "--to-dir", target, "--to-db", database.ConnectionString, "--key-file", Source.KeyFile);

        Assert.True(restore.ExitCode == 3, restore.ToString());
        var line = Assert.Single(restore.ErrorLines);
        Assert.Contains(part, line, StringComparison.Ordinal);
        Assert.Contains("plaintext bytes, the manifest says", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.False(await database.ExistsAsync());

        var verify = await Cli.RunAsync("verify", "--from", from, fixture.BackupId, "--read-data", "--key-file", Source.KeyFile);
        Assert.True(verify.ExitCode == 3, verify.ToString());
        Assert.Contains(part, Assert.Single(verify.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_checks_the_manifest_mac_whenever_a_key_is_given()
    {
        // Someone who can write to the destination edits the manifest; sizes and hashes of the parts still match it.
        var copy = fixture.CopyDestination();
        var manifest = fixture.PartPath(copy, ObjectNames.Manifest);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"configId\": \"cli\"", "\"configId\": \"cl1\"", StringComparison.Ordinal));
        var from = Cli.FileUri(copy);

        var withoutKey = await Cli.RunAsync("verify", "--from", from, fixture.BackupId, "--json");
        Assert.True(withoutKey.ExitCode == 0, withoutKey.ToString());
        Assert.False(withoutKey.Json().GetProperty("manifestAuthentic").GetBoolean());

        var withKey = await Cli.RunAsync("verify", "--from", from, fixture.BackupId, "--key-file", Source.KeyFile);
        Assert.True(withKey.ExitCode == 3, withKey.ToString());
        Assert.Contains("manifest.json: the MAC does not match", Assert.Single(withKey.ErrorLines), StringComparison.Ordinal);

        var otherKey = Source.NewFolder("other") + ".key";
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", otherKey)).ExitCode);
        var wrongKey = await Cli.RunAsync("verify", "--from", fixture.Destination, fixture.BackupId, "--key-file", otherKey);
        Assert.True(wrongKey.ExitCode == 3, wrongKey.ToString());
        Assert.Contains("manifest.json: the data key cannot be unwrapped with this key", Assert.Single(wrongKey.ErrorLines), StringComparison.Ordinal);

        var intact = await Cli.RunAsync("verify", "--from", fixture.Destination, fixture.BackupId, "--key-file", Source.KeyFile, "--json");
        Assert.True(intact.ExitCode == 0, intact.ToString());
        Assert.True(intact.Json().GetProperty("manifestAuthentic").GetBoolean());
    }

    [Fact]
    public async Task Verify_with_a_key_refuses_a_manifest_that_claims_no_encryption()
    {
        // What a downgrade looks like: an unencrypted backup (no MAC) where the key holder expects an encrypted one.
        var destination = Cli.FileUri(Source.NewFolder("plain"));
        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", Source.SiteRoot, "--encryption", "none", "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Json().GetProperty("backupId").GetString()!;

        Assert.Equal(0, (await Cli.RunAsync("verify", "--from", destination, backupId)).ExitCode);
        var withKey = await Cli.RunAsync("verify", "--from", destination, backupId, "--key-file", Source.KeyFile);

        Assert.True(withKey.ExitCode == 3, withKey.ToString());
        Assert.Contains("claims to be unencrypted", Assert.Single(withKey.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>Replaces the manifest in <paramref name="copy"/> with an edited one, authenticated with the backup's data key.</summary>
    private async Task RewriteManifestAsync(string copy, Func<BackupManifest, BackupManifest> edit)
    {
        var path = fixture.PartPath(copy, ObjectNames.Manifest);
        var unverified = ManifestFile.Read(await File.ReadAllBytesAsync(path));
        var dataKey = await new LocalKeyFileKek(Source.KeyFile).UnwrapAsync(unverified.Manifest.Key!, CancellationToken.None);
        await File.WriteAllBytesAsync(path, ManifestFile.Write(edit(unverified.Verify(dataKey)), dataKey));
    }
}
