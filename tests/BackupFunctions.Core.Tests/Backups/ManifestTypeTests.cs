using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Backups;

/// <summary>The manifest's <c>type</c> says what the backup holds: full, database, files, or what its writer set.</summary>
public sealed class ManifestTypeTests
{
    private static readonly StoredPart Dump = new(ObjectNames.Database, "database", 100, new string('a', 64), 200);
    private static readonly StoredPart Volume = new(ObjectNames.FirstFilesVolume, ManifestVolumes.FilesKind, 100, new string('b', 64), 200);
    private static readonly StoredPart Index = new(ObjectNames.Index, "index", 10, new string('c', 64), 20);

    public static TheoryData<bool, bool, string?, string> Cases => new()
    {
        { true, true, null, BackupTypes.Full },
        { true, false, null, BackupTypes.Database },
        { false, true, null, BackupTypes.Files },
        { true, true, BackupTypes.Incremental, BackupTypes.Incremental },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_manifest_and_its_result_carry_the_type_of_what_was_backed_up(bool database, bool files, string? type, string expected)
    {
        var store = new MemoryBackupStore();
        var key = RandomNumberGenerator.GetBytes(32);
        var draft = new ManifestDraft("b1", "c", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, new PartSettings(),
            new KeyEnvelope("test", "k", "test", "AAAA"),
            database ? new DatabasePartResult(Dump, new DatabaseSourceInfo { Database = "cms", ServerVersion = "17", Tables = [] }) : null,
            files ? new FilesPartResult([Volume], Index, 1, 1, 200) : null,
            type);

        var (manifest, result) = await BackupWriter.WriteManifestAsync(store, "b/", draft, key, default);

        Assert.Equal(expected, manifest.Type);
        Assert.Equal(expected, result.Type);
        var (read, _) = await StoredManifest.ReadAsync(store, "b/", default);
        Assert.Equal(expected, read.Manifest.Type);
        Assert.Empty(result.ReferencedBackupIds!);
        Assert.Null(result.BaseBackupId);
    }
}
