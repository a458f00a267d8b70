using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// A file that changes while the archiver reads it (the tar output tells when: after its first MiB) is archived at the
/// length it had when it was opened, its index entry matches the stored bytes, the extraction verifies, and the
/// result names it. Until now each of these failed the whole archive.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ChangingFileArchiveTests : IDisposable
{
    private const int Length = 8 * 1024 * 1024;
    private const string LogName = "uploads/logs/app.log";

    private readonly TempFolder _temp = new();
    private readonly byte[] _original = RandomNumberGenerator.GetBytes(Length);

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");
    private string Log => Path.Combine(Site, LogName);

    [Fact]
    public async Task A_file_that_grows_while_archived_is_stored_at_its_length_at_open_and_named_grew()
    {
        var (result, stored) = await ArchiveWhileAsync(() => File.AppendAllText(Log, new string('x', 100_000)));

        Assert.Equal(_original, stored);
        Assert.Equal([new FileChange(LogName, FileChange.Grew)], result.ChangedFiles);
        Assert.Equal(1, result.ChangedFileCount);
    }

    [Fact]
    public async Task A_file_that_shrinks_while_archived_is_stored_zero_padded_to_its_length_at_open_and_named_shrank()
    {
        var (result, stored) = await ArchiveWhileAsync(() =>
        {
            using var file = new FileStream(Log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(512 * 1024);
        });

        Assert.Equal(Length, stored.Length);
        Assert.Equal(_original.AsSpan(0, 512 * 1024).ToArray(), stored[..(512 * 1024)]);
        // Whatever was read before the truncation is the original; everything after the file's new end is zeros.
        var firstZero = stored.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
        Assert.Equal(_original.AsSpan(0, firstZero).ToArray(), stored[..firstZero]);
        Assert.True(firstZero < Length - 1024 * 1024, $"only {Length - firstZero} bytes of padding");
        Assert.Equal([new FileChange(LogName, FileChange.Shrank)], result.ChangedFiles);
    }

    [Fact]
    public async Task A_file_rewritten_in_place_while_archived_is_named_modified()
    {
        var (result, stored) = await ArchiveWhileAsync(() =>
        {
            using var file = new FileStream(Log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.Position = Length - 10;
            file.Write(new byte[10]); // sets the time, which was five minutes ago
        });

        Assert.Equal(Length, stored.Length);
        Assert.Equal([new FileChange(LogName, FileChange.Modified)], result.ChangedFiles);
    }

    [Fact]
    public async Task A_file_that_does_not_change_is_not_named()
    {
        var (result, stored) = await ArchiveWhileAsync(() => { });

        Assert.Equal(_original, stored);
        Assert.Empty(result.ChangedFiles);
        Assert.Equal(0, result.ChangedFileCount);
    }

    /// <summary>
    /// Archives the site (the log and a small file after it) running <paramref name="change"/> once the tar has 1 MiB,
    /// i.e. while the log is being read; then extracts the tar against its index, which checks every file's SHA-256,
    /// and returns the log as restored.
    /// </summary>
    private async Task<(ArchiveResult Result, byte[] Stored)> ArchiveWhileAsync(Action change)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Log)!);
        await File.WriteAllBytesAsync(Log, _original);
        await File.WriteAllTextAsync(Path.Combine(Site, "uploads/logs/zz-after.txt"), "after the log");
        File.SetLastWriteTimeUtc(Log, DateTime.UtcNow.AddMinutes(-5));
        using var tar = new TriggerStream(1024 * 1024, change);

        var result = await SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, tar, null, CancellationToken.None);

        Assert.True(tar.Triggered, "the change ran while the archive was written");
        var entry = Assert.Single(result.Entries, e => e.Path == LogName);
        Assert.Equal(Length, entry.Size);
        tar.Position = 0;
        var target = _temp.Combine("restored");
        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, target, result.Entries, null, CancellationToken.None);
        var stored = await File.ReadAllBytesAsync(Path.Combine(target, LogName));
        Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(stored)));
        Assert.Equal("after the log", await File.ReadAllTextAsync(Path.Combine(target, "uploads/logs/zz-after.txt")));
        return (result, stored);
    }

    /// <summary>A memory stream that runs an action, once, when more than a given number of bytes were written to it.</summary>
    private sealed class TriggerStream(long after, Action action) : MemoryStream
    {
        public bool Triggered { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            Check();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            Check();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            base.Write(buffer.Span);
            Check();
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            base.Write(buffer, offset, count);
            Check();
            return Task.CompletedTask;
        }

        private void Check()
        {
            if (Triggered || Length <= after)
                return;
            Triggered = true;
            action();
        }
    }
}
