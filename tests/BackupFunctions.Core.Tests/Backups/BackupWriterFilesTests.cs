using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
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
    public async Task A_file_that_vanishes_mid_backup_fails_the_step_with_its_error_and_leaves_no_object()
    {
        // 300 incompressible files of 64 KiB (~19 MiB): the store is receiving the volume when the error happens.
        using var site = new TempFolder();
        var folder = Directory.CreateDirectory(System.IO.Path.Combine(site.Path, "uploads", "media")).FullName;
        for (var i = 0; i < 300; i++)
            File.WriteAllBytes(System.IO.Path.Combine(folder, $"f{i:D3}.bin"), RandomNumberGenerator.GetBytes(64 * 1024));
        var vanishing = System.IO.Path.Combine(folder, "f250.bin");
        // The walker has listed the folder by then; the file goes before the archiver opens it.
        var progress = new InlineProgress(p =>
        {
            if (p.Files == 200)
                File.Delete(vanishing);
        });
        var store = new MemoryBackupStore();

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => BackupWriter.WriteFilesAsync(store, "b/", "b1", new PartSettings(),
            RandomNumberGenerator.GetBytes(32), new FilesSource { Root = site.Path, Components = ["uploads"] }, progress, default)
            .WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("f250.bin", e.Message, StringComparison.Ordinal);
        Assert.True(store.BytesReceived > 0, "the store was already receiving the volume");
        Assert.Empty(store.Names); // neither the volume nor its index
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

    /// <summary>A store whose index upload fails after reading a little: the volume upload must be abandoned too.</summary>
    private sealed class FailingIndexStore : IBackupStore
    {
        private readonly MemoryBackupStore _inner = new();

        public string Location => "memory://failing-index";

        public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            if (name.EndsWith(ObjectNames.Index, StringComparison.Ordinal))
            {
                await content.ReadExactlyAsync(new byte[16], cancellationToken);
                throw new StoreException($"put {name} failed: quota exceeded");
            }
            await _inner.PutAsync(name, content, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) => _inner.OpenReadAsync(name, cancellationToken);
        public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken) => _inner.OpenReadRangeAsync(name, offset, length, cancellationToken);

        public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) => _inner.GetInfoAsync(name, cancellationToken);

        public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => _inner.ListAsync(prefix, cancellationToken);

        public Task DeleteAsync(string name, CancellationToken cancellationToken) => _inner.DeleteAsync(name, cancellationToken);

        public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken) => _inner.ListTemporaryAsync(prefix, cancellationToken);

        public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) => _inner.DeleteTemporaryAsync(name, cancellationToken);
    }
}
