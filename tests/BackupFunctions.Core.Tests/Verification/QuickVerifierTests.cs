using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>Quick verification reads every stored object back and catches any change to a copy, without the key.</summary>
public sealed class QuickVerifierTests
{
    private readonly MemoryBackupStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task An_intact_copy_passes_with_every_object_counted()
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(_store);

        var result = await new QuickVerifier(_time).VerifyAsync(_store, StoredBackupFixture.Folder, manifestSha, default);

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        Assert.Equal("quick", result.Level);
        Assert.Equal(3, result.Objects);
        Assert.Equal(_time.GetUtcNow(), result.VerifiedAt);
        var stored = (await _store.ListAsync(StoredBackupFixture.Folder, default).ToListAsync()).Sum(o => o.Size);
        Assert.Equal(stored, result.Bytes);
    }

    [Theory]
    [InlineData(ObjectNames.FirstFilesVolume)]
    [InlineData(ObjectNames.Index)]
    public async Task A_flipped_byte_in_a_part_is_caught_and_named(string part)
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(_store);
        await StoredBackupFixture.FlipAByteAsync(_store, StoredBackupFixture.Folder + part);

        var result = await new QuickVerifier(_time).VerifyAsync(_store, StoredBackupFixture.Folder, manifestSha, default);

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.StartsWith(part, StringComparison.Ordinal) && p.Contains("SHA-256", StringComparison.Ordinal));
        Assert.Single(result.Problems);
    }

    [Fact]
    public async Task A_replaced_manifest_is_caught_by_the_recorded_checksum()
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(_store);
        // A manifest that still parses but is not the one written (e.g. swapped in from another backup).
        await StoredBackupFixture.FlipAByteAsync(_store, StoredBackupFixture.Folder + ObjectNames.Manifest);

        var result = await new QuickVerifier(_time).VerifyAsync(_store, StoredBackupFixture.Folder, manifestSha, default);

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.StartsWith(ObjectNames.Manifest, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_and_truncated_objects_are_reported_each()
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(_store);
        await _store.DeleteAsync(StoredBackupFixture.Folder + ObjectNames.Index, default);
        await _store.PutAsync(StoredBackupFixture.Folder + ObjectNames.FirstFilesVolume, new MemoryStream([1, 2, 3]), default);

        var result = await new QuickVerifier(_time).VerifyAsync(_store, StoredBackupFixture.Folder, manifestSha, default);

        Assert.Equal(2, result.Problems.Count);
        Assert.Contains(result.Problems, p => p.StartsWith(ObjectNames.Index, StringComparison.Ordinal) && p.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.StartsWith(ObjectNames.FirstFilesVolume, StringComparison.Ordinal) && p.Contains("3 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_copy_without_its_manifest_fails()
    {
        var result = await new QuickVerifier(_time).VerifyAsync(_store, "site/backups/none/", null, default);

        Assert.False(result.Ok);
        Assert.Contains(result.Problems, p => p.Contains("missing", StringComparison.Ordinal));
    }
}
