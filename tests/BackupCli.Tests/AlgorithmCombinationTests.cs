using BackupCli.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// Every compression × encryption the config offers: a real backup of the site and the database, restored through the
/// CLI from the bare folder, byte for byte and row for row.
/// </summary>
public sealed class AlgorithmCombinationTests(AlgorithmCombinationTests.SourceFixture fixture) : IClassFixture<AlgorithmCombinationTests.SourceFixture>
{
    public sealed class SourceFixture : IAsyncLifetime
    {
        public CmsSource Source { get; private set; } = null!;

        public Dictionary<string, long> RowCounts { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Source = await CmsSource.CreateAsync();
            RowCounts = await Source.Database.RowCountsAsync();
        }

        public async Task DisposeAsync() => await Source.DisposeAsync();
    }

    public static TheoryData<string, string> Combinations()
    {
        var data = new TheoryData<string, string>();
        foreach (var compression in new[] { "zstd", "gzip", "brotli", "bzip2", "lzma", "none" })
        {
            foreach (var encryption in new[] { "aes256", "chacha20", "none" })
                data.Add(compression, encryption);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task A_backup_with_this_compression_and_encryption_restores_exactly(string compression, string encryption)
    {
        var source = fixture.Source;
        var destination = Cli.FileUri(source.NewFolder($"dest-{compression}-{encryption}"));
        string[] key = encryption == "none" ? [] : ["--key-file", source.KeyFile];

        var backup = await Cli.RunAsync([
            "backup", "--to", destination, "--site", source.SiteRoot, "--db", source.Database.ConnectionString,
            "--compression", compression, "--level", "6", "--encryption", encryption, .. key, "--json"]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Json().GetProperty("backupId").GetString()!;

        var target = source.NewFolder("restored");
        await using var database = TestDatabase.Reserve("bfclicombo");
        var restore = await Cli.RunAsync(["restore", "--from", destination, backupId, "--to-dir", target, "--to-db", database.ConnectionString, .. key]);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        SiteFolders.AssertIdentical(source.SiteRoot, target);
        Assert.Equal(fixture.RowCounts, await database.RowCountsAsync());
    }

    [Fact]
    public async Task An_unencrypted_backup_is_refused_when_a_key_is_given_so_a_swapped_manifest_cannot_downgrade()
    {
        var source = fixture.Source;
        var destination = Cli.FileUri(source.NewFolder("dest-plain"));
        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", source.SiteRoot, "--encryption", "none", "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Json().GetProperty("backupId").GetString()!;

        var withKey = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", source.NewFolder("r1"), "--key-file", source.KeyFile);
        Assert.Equal(3, withKey.ExitCode);
        Assert.Contains("manifest.json", withKey.Stderr, StringComparison.Ordinal);

        var withoutKey = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", source.NewFolder("r2"));
        Assert.True(withoutKey.ExitCode == 0, withoutKey.ToString());
    }
}
