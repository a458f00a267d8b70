using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Tests.Verification;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Replication;

public sealed class BackupReplicatorTests
{
    private readonly MemoryBackupStore _primary = new();
    private readonly MemoryBackupStore _replica = new();

    [Fact]
    public async Task A_copy_holds_the_same_bytes_under_the_replica_prefix_and_verifies()
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(_primary);

        var result = await BackupReplicator.CopyAsync(_primary, StoredBackupFixture.Folder, _replica, "other/backups/b1/", default);

        Assert.Equal(3, result.Objects);
        var names = await _replica.ListAsync("", default).Select(o => o.Name).ToListAsync();
        Assert.Equal(["other/backups/b1/files-00001.part", "other/backups/b1/index.bin", "other/backups/b1/manifest.json"], names);
        var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(_replica, "other/backups/b1/", manifestSha, default);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
    }

    [Fact]
    public async Task A_damaged_primary_is_not_copied_and_the_replica_gets_no_manifest()
    {
        await StoredBackupFixture.WriteAsync(_primary);
        await StoredBackupFixture.FlipAByteAsync(_primary, StoredBackupFixture.Folder + ObjectNames.Index);

        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            BackupReplicator.CopyAsync(_primary, StoredBackupFixture.Folder, _replica, StoredBackupFixture.Folder, default));

        Assert.Contains(ObjectNames.Index, error.Message, StringComparison.Ordinal);
        var names = await _replica.ListAsync("", default).Select(o => o.Name).ToListAsync();
        Assert.DoesNotContain(names, n => n.EndsWith(ObjectNames.Index, StringComparison.Ordinal) || n.EndsWith(ObjectNames.Manifest, StringComparison.Ordinal));
    }
}
