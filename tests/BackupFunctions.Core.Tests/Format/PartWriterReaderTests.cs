using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Streams;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Format;

public sealed class PartWriterReaderTests
{
    private const string BackupId = "b1";
    private const string DbObject = "site1/backups/b1/db.part";
    private readonly byte[] _dataKey = DataKeys.Generate();
    private readonly MemoryBackupStore _store = new();

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd, 0)]
    [InlineData(CompressionAlgorithm.Zstd, 3_000_000)]
    [InlineData(CompressionAlgorithm.None, 0)]
    [InlineData(CompressionAlgorithm.None, 300_000)]
    public async Task Round_trip_through_a_store(CompressionAlgorithm compression, int length)
    {
        var plain = TestData.SemiRandomText(length);
        var settings = new PartSettings(compression, CompressionLevel: 3, ChunkSize: 64 * 1024);

        var part = await WriteAsync(DbObject, "db.part", settings, (s, ct) => s.WriteAsync(plain, ct).AsTask());

        var stored = _store.GetBytes(DbObject);
        Assert.Equal("db.part", part.Name);
        Assert.Equal("database", part.Kind);
        Assert.Equal(length, part.PlainSize);
        Assert.Equal(stored.Length, part.StoredSize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), part.Sha256);
        if (compression == CompressionAlgorithm.Zstd && length > 0)
            Assert.True(part.StoredSize < length / 2);

        var manifest = Manifest(settings, part);
        Assert.Equal(plain, await ReadAllAsync(DbObject, part, manifest));
        await PartReader.VerifyAsync(_store, DbObject, BackupId, part, manifest, _dataKey, CancellationToken.None);
    }

    [Fact]
    public async Task A_synchronous_producer_works_too()
    {
        var plain = TestData.SemiRandomText(2_000_000);
        var settings = new PartSettings();

        var part = await WriteAsync(DbObject, "db.part", settings, (s, _) =>
        {
            s.Write(plain);
            return Task.CompletedTask;
        });

        using var read = await PartReader.OpenAsync(_store, DbObject, BackupId, part, Manifest(settings, part), _dataKey, CancellationToken.None);
        using var copy = new MemoryStream();
        read.CopyTo(copy); // the synchronous read path
        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public async Task A_producer_that_flushes_midway_round_trips()
    {
        var plain = TestData.SemiRandomText(500_000);
        var settings = new PartSettings(ChunkSize: 4096);

        var part = await WriteAsync(DbObject, "db.part", settings, async (s, ct) =>
        {
            await s.WriteAsync(plain.AsMemory(0, 200_000), ct);
            await s.FlushAsync(ct);
            s.Flush();
            await s.WriteAsync(plain.AsMemory(200_000), ct);
        });

        Assert.Equal(plain, await ReadAllAsync(DbObject, part, Manifest(settings, part)));
    }

    [Fact]
    public async Task A_producer_that_fails_halfway_leaves_no_object_and_its_exception_propagates()
    {
        var settings = new PartSettings(ChunkSize: 64 * 1024);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(DbObject, "db.part", settings, async (s, ct) =>
        {
            // More than the pipes and the compressor hold, so the store is receiving the part when the producer fails.
            for (var i = 0; i < 30; i++)
                await s.WriteAsync(TestData.Random(1024 * 1024, seed: i), ct);
            throw new InvalidOperationException("pg_dump died");
        }));

        Assert.Equal("pg_dump died", e.Message);
        Assert.True(_store.BytesReceived > 0, "the store was already receiving the part");
        Assert.Null(await _store.GetInfoAsync(DbObject, CancellationToken.None));
        Assert.Empty(_store.Names);
    }

    [Fact]
    public async Task A_failing_store_stops_the_producer_and_its_exception_propagates()
    {
        _store.FailPutAfterBytes = 1_000_000;
        var producerStopped = false;

        await Assert.ThrowsAsync<StoreTransientException>(() => WriteAsync(DbObject, "db.part", new PartSettings(), async (s, ct) =>
        {
            try
            {
                // Far more than the pipe holds: without the store reading, this can only end by failing.
                for (var i = 0; i < 100; i++)
                    await s.WriteAsync(TestData.Random(1024 * 1024, seed: i), ct);
            }
            catch (Exception)
            {
                producerStopped = true;
                throw;
            }
        }));

        Assert.True(producerStopped);
        Assert.Empty(_store.Names);
    }

    [Fact]
    public async Task A_64_MiB_part_streams_through_bounded_pipes()
    {
        Assert.True(PartWriter.PipePauseWriterThreshold <= 8 * 1024 * 1024);
        Assert.True(WriteBehindStream.PauseWriterThreshold <= 8 * 1024 * 1024);
        const int Block = 1024 * 1024;
        const int Blocks = 64;
        var settings = new PartSettings();
        long maxUnreceived = 0;
        using var plainHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var part = await WriteAsync("site1/backups/b1/files-00001.part", "files-00001.part", settings, async (s, ct) =>
        {
            for (var i = 0; i < Blocks; i++)
            {
                var block = TestData.Random(Block, seed: i); // incompressible: stored size ≈ plaintext size
                plainHash.AppendData(block);
                await s.WriteAsync(block, ct);
                maxUnreceived = Math.Max(maxUnreceived, (long)(i + 1) * Block - _store.BytesReceived);
            }
        });

        // Backpressure: the producer can never run further ahead of the store than the two pipes (4 MiB each), the
        // compressor's buffers (zstd with 2 workers at level 3: 4 jobs of 2 MiB + overlap) and one chunk, about
        // 18 MiB. A writer that buffered the part would be ~64 MiB ahead.
        Assert.True(maxUnreceived < 24L * 1024 * 1024, $"producer ran {maxUnreceived} bytes ahead of the store");
        Assert.Equal((long)Block * Blocks, part.PlainSize);
        Assert.Equal(_store.GetBytes("site1/backups/b1/files-00001.part").LongLength, part.StoredSize);

        using var readHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var read = await PartReader.OpenAsync(_store, "site1/backups/b1/files-00001.part", BackupId, part, Manifest(settings, part), _dataKey, CancellationToken.None))
        {
            var buffer = new byte[100_000];
            int n;
            while ((n = await read.ReadAsync(buffer)) > 0)
                readHash.AppendData(buffer, 0, n);
        }
        Assert.Equal(plainHash.GetHashAndReset(), readHash.GetHashAndReset());
    }

    [Fact]
    public async Task A_stored_byte_changed_is_reported_for_the_part()
    {
        var settings = new PartSettings(ChunkSize: 4096);
        var part = await WriteAsync(DbObject, "db.part", settings, (s, ct) => s.WriteAsync(TestData.SemiRandomText(100_000), ct).AsTask());
        var bytes = _store.GetBytes(DbObject);
        bytes[bytes.Length / 2] ^= 0x40;
        _store.SetBytes(DbObject, bytes);

        var e = await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, part, Manifest(settings, part)));
        Assert.Equal(DbObject, e.ObjectName);
    }

    [Fact]
    public async Task Size_or_hash_different_from_the_manifest_is_reported_even_when_the_data_decrypts()
    {
        var settings = new PartSettings();
        var part = await WriteAsync(DbObject, "db.part", settings, (s, ct) => s.WriteAsync(TestData.SemiRandomText(10_000), ct).AsTask());

        var wrongHash = part with { Sha256 = new string('0', 64) };
        var e = await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, wrongHash, Manifest(settings, wrongHash)));
        Assert.Contains("stored size/SHA-256 differ from the manifest", e.Message, StringComparison.Ordinal);

        var tooSmall = part with { StoredSize = part.StoredSize - 1 };
        e = await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, tooSmall, Manifest(settings, tooSmall)));
        Assert.Equal(DbObject, e.ObjectName);

        var wrongPlainSize = part with { PlainSize = part.PlainSize + 1 };
        await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, wrongPlainSize, Manifest(settings, wrongPlainSize)));
    }

    [Fact]
    public async Task A_part_swapped_in_from_another_backup_or_name_is_reported()
    {
        var settings = new PartSettings();
        var produce = (Stream s, CancellationToken ct) => s.WriteAsync(TestData.SemiRandomText(10_000), ct).AsTask();
        var db = await WriteAsync(DbObject, "db.part", settings, produce);
        var files = await WriteAsync("site1/backups/b1/files-00001.part", "files-00001.part", settings, produce);

        // files-00001.part's bytes under db.part's name, with a manifest entry that matches those bytes.
        _store.SetBytes(DbObject, _store.GetBytes("site1/backups/b1/files-00001.part"));
        var swapped = db with { StoredSize = files.StoredSize, Sha256 = files.Sha256 };
        var e = await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, swapped, Manifest(settings, swapped)));
        Assert.Equal(DbObject, e.ObjectName);

        // The same part read as part of backup b2 (same data key).
        await Assert.ThrowsAsync<IntegrityException>(() =>
            PartReader.VerifyAsync(_store, "site1/backups/b1/files-00001.part", "b2", files, Manifest(settings, files), _dataKey, CancellationToken.None));

        // The wrong data key.
        await Assert.ThrowsAsync<IntegrityException>(() =>
            PartReader.VerifyAsync(_store, "site1/backups/b1/files-00001.part", BackupId, files, Manifest(settings, files), DataKeys.Generate(), CancellationToken.None));
    }

    [Fact]
    public async Task Compression_different_from_the_manifest_is_reported()
    {
        var settings = new PartSettings(CompressionAlgorithm.Zstd);
        var part = await WriteAsync(DbObject, "db.part", settings, (s, ct) => s.WriteAsync(TestData.SemiRandomText(10_000), ct).AsTask());

        var manifest = Manifest(settings, part) with { Compression = "none" };
        await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, part, manifest));

        var unknown = Manifest(settings, part) with { Compression = "lz4" };
        var e = await Assert.ThrowsAsync<NotSupportedException>(() => VerifyAsync(DbObject, part, unknown));
        Assert.Contains("lz4", e.Message, StringComparison.Ordinal);

        var unknownEncryption = Manifest(settings, part) with { Encryption = "aes-128-ocb" };
        e = await Assert.ThrowsAsync<NotSupportedException>(() => VerifyAsync(DbObject, part, unknownEncryption));
        Assert.Contains("aes-128-ocb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_after_the_compressed_stream_is_reported()
    {
        // A correctly encrypted part whose plaintext is a zstd frame followed by extra bytes.
        var frame = await CompressionStreamsTests.CompressAsync(TestData.SemiRandomText(1000), CompressionAlgorithm.Zstd, 3);
        var key = PartKeys.Derive(_dataKey, BackupId, "db.part");
        using var output = new MemoryStream();
        using (var encrypting = new EncryptingStream(output, key, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.Zstd, PartSettings.DefaultChunkSize, leaveOpen: true))
            encrypting.Write([.. frame, .. "junk"u8]);
        var bytes = output.ToArray();
        _store.SetBytes(DbObject, bytes);
        var part = new StoredPart("db.part", "database", bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)), 1004);

        var e = await Assert.ThrowsAsync<IntegrityException>(() => VerifyAsync(DbObject, part, Manifest(new PartSettings(), part)));
        Assert.Equal(DbObject, e.ObjectName);
    }

    private Task<StoredPart> WriteAsync(string objectName, string partName, PartSettings settings, Func<Stream, CancellationToken, Task> produce)
        => PartWriter.WriteAsync(_store, objectName, BackupId, partName, partName == "db.part" ? "database" : "files", settings, _dataKey, produce, CancellationToken.None);

    private Task VerifyAsync(string objectName, StoredPart part, BackupManifest manifest)
        => PartReader.VerifyAsync(_store, objectName, BackupId, part, manifest, _dataKey, CancellationToken.None);

    private async Task<byte[]> ReadAllAsync(string objectName, StoredPart part, BackupManifest manifest)
    {
        await using var read = await PartReader.OpenAsync(_store, objectName, BackupId, part, manifest, _dataKey, CancellationToken.None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    internal static BackupManifest Manifest(PartSettings settings, params StoredPart[] parts) => new()
    {
        BackupId = BackupId,
        ConfigId = "config-1",
        CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        CompletedAt = new DateTimeOffset(2025, 1, 2, 3, 9, 0, TimeSpan.Zero),
        Compression = CompressionStreams.Name(settings.Compression),
        CompressionLevel = settings.CompressionLevel,
        Encryption = EncryptionAlgorithms.Name(settings.Encryption),
        ChunkSize = settings.ChunkSize,
        Key = settings.Encryption == EncryptionAlgorithm.None
            ? null
            : new KeyEnvelope("local", "local:0123456789abcdef", "A256GCM", "d3JhcHBlZA=="),
        Objects = parts,
        Statistics = new BackupStatistics(),
        Tool = "backupfunctions/0.1.0",
    };
}
