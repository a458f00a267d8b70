using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>
/// Quick verification of an incremental backup checks what it references too: each referenced backup's manifest is
/// there and lists the volume as the reference does, and each referenced volume is read back with the recorded size and
/// SHA-256 — a missing or changed one fails the incremental, naming the referenced backup and part.
/// </summary>
public sealed class QuickVerifierChainTests
{
    private readonly MemoryBackupStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));
    private readonly HandMadeChain _chain;

    public QuickVerifierChainTests() => _chain = new HandMadeChain(_store, "site");

    [Fact]
    public async Task An_intact_incremental_passes_with_its_referenced_objects_counted()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        await _chain.WriteIncrementalAsync("inc2", "inc1", "full", "inc1");

        var result = await VerifyAsync("inc2");

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        // Its own manifest, volume and index; each referenced backup's manifest and volume.
        Assert.Equal(3 + 2 + 2, result.Objects);
        var referencedBytes = 0L;
        foreach (var id in new[] { "full", "inc1" })
            referencedBytes += (await _store.GetInfoAsync(_chain.FolderOf(id) + ObjectNames.Manifest, default))!.Size + (await _store.GetInfoAsync(_chain.FolderOf(id) + ObjectNames.FirstFilesVolume, default))!.Size;
        var own = (await _store.ListAsync(_chain.FolderOf("inc2"), default).ToListAsync()).Sum(o => o.Size);
        Assert.Equal(own + referencedBytes, result.Bytes);
    }

    [Fact]
    public async Task A_changed_referenced_volume_fails_the_incremental_naming_the_referenced_backup_and_part()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        await StoredBackupFixture.FlipAByteAsync(_store, _chain.FolderOf("full") + ObjectNames.FirstFilesVolume);

        var result = await VerifyAsync("inc1");

        Assert.False(result.Ok);
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith($"referenced backup full: {ObjectNames.FirstFilesVolume}", problem, StringComparison.Ordinal);
        Assert.Contains("SHA-256", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_referenced_volume_fails_the_incremental_naming_the_referenced_backup_and_part()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        await _store.DeleteAsync(_chain.FolderOf("full") + ObjectNames.FirstFilesVolume, default);

        var result = await VerifyAsync("inc1");

        Assert.False(result.Ok);
        Assert.Equal([$"referenced backup full: {ObjectNames.FirstFilesVolume}: missing from {_store.Location}"], result.Problems);
    }

    [Fact]
    public async Task A_truncated_referenced_volume_is_caught_by_its_size()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        var name = _chain.FolderOf("full") + ObjectNames.FirstFilesVolume;
        byte[] bytes;
        await using (var read = await _store.OpenReadAsync(name, default))
        using (var copy = new MemoryStream())
        {
            await read.CopyToAsync(copy);
            bytes = copy.ToArray();
        }
        await _store.PutAsync(name, new MemoryStream(bytes[..^1]), default);

        var result = await VerifyAsync("inc1");

        Assert.False(result.Ok);
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith($"referenced backup full: {ObjectNames.FirstFilesVolume}: {bytes.Length - 1} bytes stored", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_referenced_backup_without_its_manifest_fails_the_incremental()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        // A removal that started (the manifest goes first) but did not finish: the volume is there, the backup is not.
        await _store.DeleteAsync(_chain.FolderOf("full") + ObjectNames.Manifest, default);

        var result = await VerifyAsync("inc1");

        Assert.False(result.Ok);
        Assert.Equal([$"referenced backup full: {ObjectNames.Manifest} missing from {_store.Location} (the backup is gone or incomplete)"], result.Problems);
    }

    [Fact]
    public async Task A_referenced_manifest_that_lists_the_volume_otherwise_fails_the_incremental()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteFullAsync("other");
        await _chain.WriteIncrementalAsync("inc1", "full");
        // The referenced backup's folder now holds another backup (its volume and its manifest, consistent with each other).
        foreach (var name in new[] { ObjectNames.FirstFilesVolume, ObjectNames.Manifest })
        {
            await using var read = await _store.OpenReadAsync(_chain.FolderOf("other") + name, default);
            await _store.PutAsync(_chain.FolderOf("full") + name, read, default);
        }

        var result = await VerifyAsync("inc1");

        Assert.False(result.Ok);
        Assert.Contains("referenced backup full: its manifest.json is backup other's", result.Problems);
        Assert.Contains($"referenced backup full: its manifest.json lists {ObjectNames.FirstFilesVolume} with another size or SHA-256 than this backup's reference", result.Problems);
        Assert.Contains(result.Problems, p => p.StartsWith($"referenced backup full: {ObjectNames.FirstFilesVolume}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Right_after_a_backup_referenced_volumes_are_checked_by_presence_and_size_without_reading_them()
    {
        await _chain.WriteFullAsync("full");
        await _chain.WriteIncrementalAsync("inc1", "full");
        var volume = _chain.FolderOf("full") + ObjectNames.FirstFilesVolume;
        await StoredBackupFixture.FlipAByteAsync(_store, volume);
        var counting = new ReadRecordingStore(_store);

        var afterBackup = await new QuickVerifier(_time).VerifyAsync(counting, _chain.FolderOf("inc1"), _chain.ManifestSha256["inc1"], default, readReferenced: false);

        // The flipped byte (same size) is for the scheduled verification to find; nothing of the full backup's volume was read.
        Assert.True(afterBackup.Ok, string.Join("; ", afterBackup.Problems));
        Assert.DoesNotContain(volume, counting.Reads);
        Assert.False((await VerifyAsync("inc1")).Ok);

        // A referenced volume that is gone or has another size fails it all the same.
        await _store.DeleteAsync(volume, default);
        var gone = await new QuickVerifier(_time).VerifyAsync(_store, _chain.FolderOf("inc1"), _chain.ManifestSha256["inc1"], default, readReferenced: false);
        Assert.Equal([$"referenced backup full: {ObjectNames.FirstFilesVolume}: missing from {_store.Location}"], gone.Problems);
    }

    private Task<VerificationResult> VerifyAsync(string backupId)
        => new QuickVerifier(_time).VerifyAsync(_store, _chain.FolderOf(backupId), _chain.ManifestSha256[backupId], default);

    private sealed class ReadRecordingStore(Core.Storage.IBackupStore inner) : ForwardingBackupStore(inner)
    {
        public List<string> Reads { get; } = [];

        public override Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
        {
            Reads.Add(name);
            return base.OpenReadAsync(name, cancellationToken);
        }
    }
}
