using System.Globalization;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// The promise that every later version reads format v2: the frozen chain of tests/fixtures/format-v2 (a full backup
/// with its media in a volume of its own stored with compression none, then two incremental backups pointing into the
/// earlier ones; see its make-fixtures.sh) is deep-verified and each point restored byte-exact — the site as it was
/// at that point, recorded independently in site-N.tsv — by the engine, from a copy of the destination. A failure here
/// is a reader regression, never a reason to regenerate the fixtures.
/// </summary>
public sealed class FormatV2FixtureTests : IDisposable
{
    private const string Regression =
        "FORMAT v2 REGRESSION: a backup written by an earlier version (tests/fixtures/format-v2, frozen bytes) no longer reads as it did. " +
        "Users have such backups stored: fix the reader, never the fixture.";

    private static readonly string Fixtures = FindFolder();
    private readonly TempFolder _folder = new("bf-v2-");
    private readonly LocalFolderStore _store;
    private readonly string _keyFile;
    private readonly PostgresToolsOptions _tools = new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    public FormatV2FixtureTests()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures, "destination"), "*", SearchOption.AllDirectories))
        {
            var target = _folder.Combine("destination", Path.GetRelativePath(Path.Combine(Fixtures, "destination"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        _store = new LocalFolderStore(_folder.Combine("destination"));
        _keyFile = FormatV1Fixtures.CopyKeyFile(_folder.Path); // the one test-only key of every frozen fixture
    }

    /// <summary>backupId, type, base (- for none), point, database (yes/no).</summary>
    private static IReadOnlyList<string[]> Backups { get; } = [.. FormatV1Fixtures.TsvLines(Path.Combine(Fixtures, "backups.tsv"))];

    public static TheoryData<string> BackupIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var backup in Backups)
                data.Add(backup[0]);
            return data;
        }
    }

    [Fact]
    public async Task The_chain_holds_what_version_2_adds()
    {
        Assert.Equal(["files", "incremental", "incremental"], Backups.Select(b => b[1]));
        var manifests = new List<BackupManifest>();
        foreach (var backup in Backups)
            manifests.Add((await StoredManifest.ReadAsync(_store, Folder(backup[0]), default)).Manifest.Manifest);

        Assert.All(manifests, m => Assert.Equal(BackupManifest.VolumesFormatVersion, m.FormatVersion));
        // Several volumes, one of them stored with its own compression none.
        Assert.True(ManifestVolumes.Of(manifests[0]).Count >= 2);
        Assert.Contains(manifests[0].Objects, o => o.Compression == "none");
        // Incrementals: each on the one before, the second referencing both earlier backups.
        Assert.Equal(Backups[0][0], manifests[1].BaseBackupId);
        Assert.Equal(Backups[1][0], manifests[2].BaseBackupId);
        Assert.Equal([Backups[0][0]], ManifestReferences.BackupIds(manifests[1]));
        Assert.Equal([Backups[1][0], Backups[0][0]], ManifestReferences.BackupIds(manifests[2]));
        Assert.Equal("chacha20-poly1305", manifests[2].Encryption);
        Assert.NotNull(manifests[2].Database);
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task Deep_verification_passes(string backupId)
    {
        var result = await VerifyAsync(backupId);

        Assert.True(result.Ok, $"{Regression}\nDeep verification of {backupId} failed:\n  " + string.Join("\n  ", result.Problems));
        var site = Site(backupId);
        Assert.Equal(site.Count(e => e.Type is 'f' or 'l'), result.Files);
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task Each_point_restores_the_site_as_it_was_and_the_database_exactly(string backupId)
    {
        var backup = Backups.Single(b => b[0] == backupId);
        var withDatabase = backup[4] == "yes";
        var target = _folder.Combine("restored");
        await using var database = ScratchDatabase.Reserve("bfv2");

        var result = await Runner().RestoreAsync(
            new RestoreRequest(_store, "", backupId, target, withDatabase ? database.Connection : null), CancellationToken.None);

        Assert.Equal(withDatabase, result.DatabaseRestored);
        FormatV1Fixtures.AssertSameSite(Site(backupId), target, $"{Regression}\nRestoring {backupId} (point {backup[3]}) gave another site than site-{backup[3]}.tsv records:");
        if (withDatabase)
        {
            await FormatV1Fixtures.AssertDatabaseContentAsync(
                FormatV1Fixtures.ReadDatabaseContent(Path.Combine(Fixtures, "database-content.txt")), database.Name, $"{Regression}\nRestoring {backupId}");
        }
    }

    /// <summary>Keeps the tests above from being vacuous: a flipped byte in a volume of the first backup fails the last one.</summary>
    [Fact]
    public async Task A_changed_byte_in_a_referenced_volume_fails_the_newest_backups_verification_and_restore()
    {
        var first = Backups[0][0];
        var newest = Backups[^1][0];
        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder(newest), default);
        var referenced = ManifestReferences.Of(unverified.Manifest).Single(r => r.BackupId == first).Objects[0].Name;
        var path = _folder.Combine("destination", Folder(first) + referenced);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await VerifyAsync(newest);
        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.StartsWith($"{first}/{referenced}", StringComparison.Ordinal));

        var target = _folder.Combine("restored-bad");
        var failure = await Assert.ThrowsAsync<IntegrityException>(() => Runner().RestoreAsync(
            new RestoreRequest(_store, "", newest, target, null), CancellationToken.None));
        Assert.Contains(referenced, failure.Message + failure.ObjectName, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any());
    }

    public void Dispose() => _folder.Dispose();

    private RestoreRunner Runner() =>
        new(new LocalKeyFileKek(_keyFile), new PostgresRestorer(_tools), new PostgresDumper(_tools), NullLogger<RestoreRunner>.Instance);

    private Task<VerificationResult> VerifyAsync(string backupId) =>
        new DeepVerifier(new PostgresRestorer(_tools), TimeProvider.System).VerifyAsync(
            _store, Folder(backupId), backupId, new LocalKeyFileKek(_keyFile), allowUnencrypted: false, CancellationToken.None);

    private static List<FormatV1SiteEntry> Site(string backupId)
    {
        var point = Backups.Single(b => b[0] == backupId)[3];
        return FormatV1Fixtures.ReadSiteFile(Path.Combine(Fixtures, $"site-{int.Parse(point, CultureInfo.InvariantCulture)}.tsv"));
    }

    private static string Folder(string backupId) => ObjectNames.BackupFolder("", backupId);

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "format-v2");
            if (File.Exists(Path.Combine(candidate, "make-fixtures.sh")))
                return candidate;
        }
        throw new InvalidOperationException($"tests/fixtures/format-v2 not found above {AppContext.BaseDirectory}");
    }
}
