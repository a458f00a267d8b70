using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Backups;

/// <summary>The file volume and its index are written side by side; a failure of either fails the step, never hangs it.</summary>
public sealed class BackupWriterFilesTests
{
    [Fact]
    public async Task Volume_and_index_are_written_together_and_the_index_lists_every_file_in_tar_order()
    {
        using var site = NewSite(files: 3000);
        var store = new MemoryBackupStore();
        var key = RandomNumberGenerator.GetBytes(32);

        var result = await BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(), key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, null, default);

        Assert.Equal(3000, result.Files);
        var manifest = new BackupManifest
        {
            BackupId = "b1", ConfigId = "c", CreatedAt = default, CompletedAt = default, Compression = "zstd", CompressionLevel = 3,
            Encryption = "aes-256-gcm", ChunkSize = PartSettings.DefaultChunkSize, Key = null, Objects = [result.Volume, result.Index],
            Statistics = new BackupStatistics(), Tool = "test",
        };
        await using var indexStream = await PartReader.OpenAsync(store, "b/" + ObjectNames.Index, "b1", result.Index, manifest, key, default);
        var index = await FileIndex.ReadAsync(indexStream, default);
        var files = index.Where(e => e.Type == FileIndexEntry.FileType).Select(e => e.Path).ToList();
        Assert.Equal(3000, files.Count);
        Assert.Equal(files.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public async Task A_failing_index_write_fails_the_whole_step_without_hanging_and_no_index_appears()
    {
        using var site = NewSite(files: 3000);
        var store = new FailingIndexStore();

        var error = await Assert.ThrowsAsync<StoreException>(() => BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(),
            RandomNumberGenerator.GetBytes(32), new FilesSource { Root = site.Path, Components = ["uploads"] }, null, default)
            .WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("index.bin", error.Message, StringComparison.Ordinal);
        // A volume that finished first may remain: without a manifest it is garbage, removed by the caller (FailJob, backupctl).
        Assert.DoesNotContain(await store.ListAsync("", default).ToListAsync(), o => o.Name.EndsWith(ObjectNames.Index, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failure_mid_volume_fails_the_step_with_its_error_and_leaves_no_object()
    {
        // 300 incompressible files of 64 KiB (~19 MiB): the store is receiving the volume when the error happens.
        using var site = MediaSite(out _);
        var progress = new InlineProgress(p =>
        {
            if (p.Files == 200)
                throw new IOException("uploads/media/f200.bin: read error (simulated)");
        });
        var store = new MemoryBackupStore();

        var e = await Assert.ThrowsAsync<IOException>(() => BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(),
            RandomNumberGenerator.GetBytes(32), new FilesSource { Root = site.Path, Components = ["uploads"] }, progress, default)
            .WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("f200.bin", e.Message, StringComparison.Ordinal);
        Assert.True(store.BytesReceived > 0, "the store was already receiving the volume");
        Assert.Empty(store.Names); // neither the volume nor its index
    }

    /// <summary>
    /// A live site deletes files (caches, temporary uploads) while it is backed up. One that goes between the listing
    /// and its turn is left out and named; the backup goes on. (It used to fail the step with "file not found", on
    /// every retry.)
    /// </summary>
    [Fact]
    public async Task A_file_that_vanishes_mid_backup_is_left_out_named_skipped_and_the_step_completes()
    {
        using var site = MediaSite(out var folder);
        var vanishing = System.IO.Path.Combine(folder, "f250.bin");
        // The walker has listed the folder by then; the file goes before the archiver opens it.
        var progress = new InlineProgress(p =>
        {
            if (p.Files == 200)
                File.Delete(vanishing);
        });
        var store = new MemoryBackupStore();
        var key = RandomNumberGenerator.GetBytes(32);

        var result = await BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(), key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, progress, default).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(299, result.Files);
        Assert.Equal([new FileChange("uploads/media/f250.bin", FileChange.Skipped)], result.ChangedFiles);
        Assert.Equal(1, result.ChangedFileCount);
        var index = await ReadIndexAsync(store, result, key);
        Assert.DoesNotContain(index, e => e.Path.EndsWith("f250.bin", StringComparison.Ordinal));
        Assert.Contains(index, e => e.Path.EndsWith("f251.bin", StringComparison.Ordinal));
    }

    /// <summary>
    /// A log truncated while it is archived (log rotation): the backup completes, the index describes the stored bytes
    /// (the length at open, the missing end as zeros), the manifest counts the file, and a restore verifies.
    /// </summary>
    [Fact]
    public async Task A_file_that_shrinks_mid_backup_is_stored_as_its_index_says_restores_verified_and_is_counted_in_the_manifest()
    {
        using var site = new TempFolder();
        var log = System.IO.Path.Combine(site.Path, "uploads", "logs", "app.log");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(log)!);
        var original = RandomNumberGenerator.GetBytes(32 * 1024 * 1024);
        File.WriteAllBytes(log, original);
        File.WriteAllText(System.IO.Path.Combine(site.Path, "uploads", "readme.txt"), "unchanged");
        // Rotated once the store has 1 MiB of the volume: the archiver is in the middle of the log (it may read ahead
        // of the store by the pipeline's buffers, some MiB).
        var store = new TriggeringStore(ObjectNames.FirstFilesVolume, 1024 * 1024, () =>
        {
            using var file = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(0);
        });
        var key = RandomNumberGenerator.GetBytes(32);

        // The log is random bytes: kept with the rest (not in a volume of its own), so it is in the first volume.
        var result = await BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(), key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, new FilesWriteOptions { StoreCompressedAsIs = false }, null, default)
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(store.Triggered);
        Assert.Equal([new FileChange("uploads/logs/app.log", FileChange.Shrank)], result.ChangedFiles);
        var draft = new ManifestDraft("b1", "c", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, new PartSettings(),
            new KeyEnvelope("test", "k", "test", "AAAA"), null, result);
        var (manifest, _) = await BackupWriter.WriteManifestAsync(store.Inner, "b/", draft, key, default);
        Assert.Equal(1, manifest.Statistics.ChangedFiles);

        var index = await ReadIndexAsync(store.Inner, result, key);
        var entry = Assert.Single(index, e => e.Path == "uploads/logs/app.log");
        Assert.Equal(original.Length, entry.Size);
        var target = System.IO.Path.Combine(site.Path, "..", System.IO.Path.GetFileName(site.Path) + "-restored");
        try
        {
            await using (var volume = await PartReader.OpenAsync(store.Inner, "b/" + ObjectNames.FirstFilesVolume, "b1", result.Volume, manifest, key, default))
                await SiteExtractor.ExtractAsync(volume, ObjectNames.FirstFilesVolume, target, index, null, default);
            var restored = File.ReadAllBytes(System.IO.Path.Combine(target, "uploads", "logs", "app.log"));
            Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(restored)));
            var end = restored.AsSpan().LastIndexOfAnyExcept((byte)0) + 1;
            Assert.Equal(original.AsSpan(0, end).ToArray(), restored[..end]);
            Assert.True(end < original.Length - 1024 * 1024, $"the missing end is zeros (read {end} bytes before it shrank)");
            Assert.Equal("unchanged", File.ReadAllText(System.IO.Path.Combine(target, "uploads", "readme.txt")));
        }
        finally
        {
            if (Directory.Exists(target))
                Directory.Delete(target, recursive: true);
        }
    }

    /// <summary>
    /// uploads linked to a mounted volume: stored as the link (what it points to is not read), named in the result that
    /// the job reports, and the step completes.
    /// </summary>
    [Fact]
    public async Task A_component_that_is_a_link_is_stored_as_one_and_named_in_the_result()
    {
        using var site = new TempFolder();
        using var volume = new TempFolder();
        File.WriteAllText(System.IO.Path.Combine(volume.Path, "a.jpg"), "on the volume");
        Directory.CreateSymbolicLink(System.IO.Path.Combine(site.Path, "uploads"), volume.Path);
        Directory.CreateDirectory(System.IO.Path.Combine(site.Path, "themes"));
        File.WriteAllText(System.IO.Path.Combine(site.Path, "themes", "style.css"), "body {}");
        var store = new MemoryBackupStore();
        var key = RandomNumberGenerator.GetBytes(32);

        var result = await BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(), key,
            new FilesSource { Root = site.Path, Components = ["uploads", "themes"] }, null, default);

        Assert.Equal([new LinkedComponent("uploads", volume.Path)], result.LinkedComponents);
        Assert.Equal(1, result.LinkedComponentCount);
        Assert.Empty(result.ChangedFiles);
        var index = await ReadIndexAsync(store, result, key);
        Assert.Equal(["themes", "themes/style.css", "uploads"], index.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Equal(volume.Path, Assert.Single(index, e => e.Type == FileIndexEntry.SymbolicLinkType).LinkTarget);
    }

    private static async Task<IReadOnlyList<FileIndexEntry>> ReadIndexAsync(IBackupStore store, FilesPartResult result, byte[] key)
    {
        var manifest = new BackupManifest
        {
            BackupId = "b1", ConfigId = "c", CreatedAt = default, CompletedAt = default, Compression = "zstd", CompressionLevel = 3,
            Encryption = "aes-256-gcm", ChunkSize = PartSettings.DefaultChunkSize, Key = null, Objects = [result.Volume, result.Index],
            Statistics = new BackupStatistics(), Tool = "test",
        };
        await using var indexStream = await PartReader.OpenAsync(store, "b/" + ObjectNames.Index, "b1", result.Index, manifest, key, default);
        return await FileIndex.ReadAsync(indexStream, default);
    }

    /// <summary>300 incompressible files of 64 KiB in uploads/media.</summary>
    private static TempFolder MediaSite(out string folder)
    {
        var site = new TempFolder();
        folder = Directory.CreateDirectory(System.IO.Path.Combine(site.Path, "uploads", "media")).FullName;
        for (var i = 0; i < 300; i++)
            File.WriteAllBytes(System.IO.Path.Combine(folder, $"f{i:D3}.bin"), RandomNumberGenerator.GetBytes(64 * 1024));
        return site;
    }

    private static TempFolder NewSite(int files)
    {
        var site = new TempFolder();
        for (var i = 0; i < files; i++)
        {
            var path = System.IO.Path.Combine(site.Path, "uploads", $"d{i % 50:D2}", $"f{i:D5}.txt");
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"file {i} " + new string('x', i % 300));
        }
        return site;
    }

    /// <summary>Reports on the archiver's thread, at the moment it happens (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class InlineProgress(Action<ArchiveProgress> report) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => report(value);
    }

    /// <summary>A memory store that runs an action once it has read a given number of bytes of one object.</summary>
    private sealed class TriggeringStore(string objectName, long after, Action action, MemoryBackupStore inner) : ForwardingBackupStore(inner)
    {
        public TriggeringStore(string objectName, long after, Action action) : this(objectName, after, action, new MemoryBackupStore())
        {
        }

        public MemoryBackupStore Inner { get; } = inner;

        public bool Triggered { get; private set; }

        public override async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            if (!name.EndsWith(objectName, StringComparison.Ordinal))
            {
                await Inner.PutAsync(name, content, cancellationToken);
                return;
            }
            // Read the first bytes, act, then hand the rest (with those bytes in front) to the real store.
            var head = new byte[after];
            await content.ReadExactlyAsync(head, cancellationToken);
            Triggered = true;
            action();
            await Inner.PutAsync(name, new ConcatStream(head, content), cancellationToken);
        }
    }

    /// <summary>Some bytes, then the rest of a stream.</summary>
    private sealed class ConcatStream(byte[] head, Stream rest) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < head.Length)
            {
                var n = Math.Min(buffer.Length, head.Length - _position);
                head.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }
            return await rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A store whose index upload fails after reading a little: the volume upload must be abandoned too.</summary>
    private sealed class FailingIndexStore() : ForwardingBackupStore(new MemoryBackupStore())
    {
        public override string Location => "memory://failing-index";

        public override async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            if (name.EndsWith(ObjectNames.Index, StringComparison.Ordinal))
            {
                await content.ReadExactlyAsync(new byte[16], cancellationToken);
                throw new StoreException($"put {name} failed: quota exceeded");
            }
            await base.PutAsync(name, content, cancellationToken);
        }
    }
}
