using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Tests.Verification;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Replication;

/// <summary>
/// Replication of an incremental between two real destinations — a local folder (primary) and Azurite blob storage
/// (replica): its own objects are copied as for any backup; each backup it references is checked on the replica and,
/// where missing or incomplete there, copied whole first (manifest last), so the replica's copy verifies on its own.
/// </summary>
public sealed class ChainReplicationTests(AzuriteContainer container) : IClassFixture<AzuriteContainer>, IDisposable
{
    private readonly TempFolder _folder = new("bf-chainrepl-");
    private readonly string _replicaPrefix = "r" + Guid.NewGuid().ToString("N")[..10];
    private LocalFolderStore? _primary;
    private HandMadeChain? _chain;

    private LocalFolderStore Primary => _primary ??= new LocalFolderStore(_folder.Path);

    private HandMadeChain Chain => _chain ??= new HandMadeChain(Primary, "site");

    private AzureBlobStore Replica { get; } = new(container.Client);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_replica_without_the_referenced_backups_gets_them_whole_first_and_the_copy_verifies_on_its_own()
    {
        await Chain.WriteFullAsync("full");
        await Chain.WriteIncrementalAsync("inc1", "full");
        await Chain.WriteIncrementalAsync("inc2", "inc1", "full", "inc1");
        var recording = new RecordingStore(Replica);

        var result = await BackupReplicator.CopyAsync(Primary, Chain.FolderOf("inc2"), recording, ReplicaFolder("inc2"), default);

        Assert.Equal(["full", "inc1"], result.CopiedReferences);
        Assert.Equal(3 * 3, result.Objects);
        foreach (var id in new[] { "full", "inc1", "inc2" })
        {
            var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(Replica, ReplicaFolder(id), Chain.ManifestSha256[id], default);
            Assert.True(verification.Ok, $"{id}: {string.Join("; ", verification.Problems)}");
        }
        // Every backup's manifest last, after its parts; the referenced ones before the incremental's.
        var puts = recording.Puts;
        foreach (var id in new[] { "full", "inc1", "inc2" })
        {
            var manifestAt = puts.IndexOf(ReplicaFolder(id) + ObjectNames.Manifest);
            Assert.All(puts.Where(p => p.StartsWith(ReplicaFolder(id), StringComparison.Ordinal) && !p.EndsWith(ObjectNames.Manifest, StringComparison.Ordinal)),
                p => Assert.True(puts.IndexOf(p) < manifestAt, $"{p} after {id}'s manifest"));
        }
        Assert.Equal(ReplicaFolder("inc2") + ObjectNames.Manifest, puts[^1]);
    }

    [Fact]
    public async Task A_replica_that_holds_the_referenced_backup_whole_gets_only_the_incrementals_own_objects()
    {
        await Chain.WriteFullAsync("full");
        await BackupReplicator.CopyAsync(Primary, Chain.FolderOf("full"), Replica, ReplicaFolder("full"), default);
        await Chain.WriteIncrementalAsync("inc1", "full");
        var recording = new RecordingStore(Replica);

        var result = await BackupReplicator.CopyAsync(Primary, Chain.FolderOf("inc1"), recording, ReplicaFolder("inc1"), default);

        Assert.Empty(result.CopiedReferences);
        Assert.Equal(3, result.Objects);
        Assert.All(recording.Puts, p => Assert.StartsWith(ReplicaFolder("inc1"), p, StringComparison.Ordinal));
        var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(Replica, ReplicaFolder("inc1"), Chain.ManifestSha256["inc1"], default);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    // Sizes, not contents, are compared on the replica (a read-back of every referenced volume each night would cost the
    // whole site); a flipped byte of the same size is the replica's scheduled verification's to find.
    public static TheoryData<string> Damage => new() { "missing volume", "resized volume", "missing manifest" };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_referenced_backup_incomplete_on_the_replica_is_copied_again_whole(string damage)
    {
        await Chain.WriteFullAsync("full");
        await BackupReplicator.CopyAsync(Primary, Chain.FolderOf("full"), Replica, ReplicaFolder("full"), default);
        await Chain.WriteIncrementalAsync("inc1", "full");
        var volume = ReplicaFolder("full") + ObjectNames.FirstFilesVolume;
        switch (damage)
        {
            case "missing volume":
                await Replica.DeleteAsync(volume, default);
                break;
            case "resized volume":
                var bytes = await ReadAsync(Replica, volume);
                await Replica.PutAsync(volume, new MemoryStream(bytes[..^1]), default);
                break;
            default:
                await Replica.DeleteAsync(ReplicaFolder("full") + ObjectNames.Manifest, default);
                break;
        }
        var before = await new QuickVerifier(TimeProvider.System).VerifyAsync(Replica, ReplicaFolder("full"), Chain.ManifestSha256["full"], default);
        Assert.False(before.Ok);

        var result = await BackupReplicator.CopyAsync(Primary, Chain.FolderOf("inc1"), Replica, ReplicaFolder("inc1"), default);

        Assert.Equal(["full"], result.CopiedReferences);
        foreach (var id in new[] { "full", "inc1" })
        {
            var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(Replica, ReplicaFolder(id), Chain.ManifestSha256[id], default);
            Assert.True(verification.Ok, $"{id}: {string.Join("; ", verification.Problems)}");
        }
    }

    [Fact]
    public async Task An_incremental_whose_referenced_backup_the_source_lacks_is_not_committed_on_the_replica()
    {
        await Chain.WriteFullAsync("full");
        await Chain.WriteIncrementalAsync("inc1", "full");
        await Primary.DeleteAsync(Chain.FolderOf("full") + ObjectNames.Manifest, default);

        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() =>
            BackupReplicator.CopyAsync(Primary, Chain.FolderOf("inc1"), Replica, ReplicaFolder("inc1"), default));

        Assert.Null(await Replica.GetInfoAsync(ReplicaFolder("inc1") + ObjectNames.Manifest, default));
    }

    [Fact]
    public async Task A_source_whose_referenced_backup_lists_the_volume_otherwise_fails_the_copy()
    {
        await Chain.WriteFullAsync("full");
        await Chain.WriteIncrementalAsync("inc1", "full");
        // The primary's referenced volume was replaced, manifest and all, by another backup's.
        await Chain.WriteFullAsync("other");
        foreach (var name in new[] { ObjectNames.FirstFilesVolume, ObjectNames.Index, ObjectNames.Manifest })
            await Primary.PutAsync(Chain.FolderOf("full") + name, new MemoryStream(await ReadAsync(Primary, Chain.FolderOf("other") + name)), default);

        var error = await Assert.ThrowsAsync<Core.Format.IntegrityException>(() =>
            BackupReplicator.CopyAsync(Primary, Chain.FolderOf("inc1"), Replica, ReplicaFolder("inc1"), default));

        Assert.Contains("referenced backup full", error.Message, StringComparison.Ordinal);
        Assert.Null(await Replica.GetInfoAsync(ReplicaFolder("inc1") + ObjectNames.Manifest, default));
    }

    /// <summary>
    /// A chain written by the engine's incremental writer (full, then two incrementals with files changed, added and
    /// deleted): the newest, replicated alone to an empty replica, brings every backup it references; quick
    /// verification passes on the replica for each and fails on the primary once a referenced volume is damaged there.
    /// </summary>
    [Fact]
    public async Task A_chain_written_by_the_incremental_writer_replicates_and_verifies_with_its_references()
    {
        var keyFile = _folder.Combine("backup.key");
        Core.Keys.LocalKeyFileKek.Create(keyFile);
        var writer = new BackupChainWriter(Primary, "site", new Core.Keys.LocalKeyFileKek(keyFile));
        var site = Directory.CreateDirectory(_folder.Combine("site", "uploads")).FullName;
        for (var i = 0; i < 10; i++)
            await File.WriteAllBytesAsync(Path.Combine(site, $"f{i}.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(4_000 + i));
        await writer.FullAsync("full", _folder.Combine("site"), "uploads");
        await File.WriteAllTextAsync(Path.Combine(site, "f1.bin"), "changed");
        await File.WriteAllTextAsync(Path.Combine(site, "new.txt"), "added");
        var (inc1, _) = await writer.IncrementalAsync("inc1", _folder.Combine("site"), ["uploads"]);
        File.Delete(Path.Combine(site, "f2.bin"));
        await File.WriteAllTextAsync(Path.Combine(site, "f3.bin"), "changed too");
        var (inc2, _) = await writer.IncrementalAsync("inc2", _folder.Combine("site"), ["uploads"]);
        Assert.Equal(Core.Format.BackupTypes.Incremental, inc2.Type);
        var referenced = Core.Format.ManifestReferences.BackupIds(inc2);
        Assert.Equal(["inc1", "full"], referenced.Order(StringComparer.Ordinal).Reverse());

        var result = await BackupReplicator.CopyAsync(Primary, writer.Folder("inc2"), Replica, ReplicaFolder("inc2"), default);

        Assert.Equal(referenced.Order(StringComparer.Ordinal), result.CopiedReferences.Order(StringComparer.Ordinal));
        foreach (var id in new[] { "full", "inc1", "inc2" })
        {
            var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(Replica, ReplicaFolder(id), null, default);
            Assert.True(verification.Ok, $"{id}: {string.Join("; ", verification.Problems)}");
        }
        var primaryCheck = await new QuickVerifier(TimeProvider.System).VerifyAsync(Primary, writer.Folder("inc2"), null, default);
        Assert.True(primaryCheck.Ok, string.Join("; ", primaryCheck.Problems));

        var damaged = Core.Format.ManifestReferences.Of(inc2).Single(r => r.BackupId == "full").Objects[0].Name;
        var bytes = await ReadAsync(Primary, writer.Folder("full") + damaged);
        bytes[^20] ^= 0x01;
        await Primary.PutAsync(writer.Folder("full") + damaged, new MemoryStream(bytes), default);
        primaryCheck = await new QuickVerifier(TimeProvider.System).VerifyAsync(Primary, writer.Folder("inc2"), null, default);
        Assert.False(primaryCheck.Ok);
        Assert.Contains(primaryCheck.Problems, p => p.StartsWith($"referenced backup full: {damaged}", StringComparison.Ordinal));
        _ = inc1;
    }

    private string ReplicaFolder(string backupId) => ObjectNames.BackupFolder(_replicaPrefix, backupId);

    private static async Task<byte[]> ReadAsync(IBackupStore store, string name)
    {
        await using var read = await store.OpenReadAsync(name, default);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Records the names put, in order.</summary>
    private sealed class RecordingStore(IBackupStore inner) : ForwardingBackupStore(inner)
    {
        public List<string> Puts { get; } = [];

        public override Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            lock (Puts)
                Puts.Add(name);
            return base.PutAsync(name, content, cancellationToken);
        }
    }
}
