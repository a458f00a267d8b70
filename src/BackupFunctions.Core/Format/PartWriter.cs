using System.IO.Pipelines;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>
/// Streams one part into a destination: plaintext → compression → chunked AEAD (unless encryption is none) →
/// (count + SHA-256) → store. Memory stays bounded whatever the part's size.
/// </summary>
/// <remarks>
/// Three stages run concurrently, so a backup uses more than one core: the producer (for the files: walking, reading
/// and hashing files, tar) writes into a <see cref="WriteBehindStream"/>; a task behind it compresses, encrypts and
/// hashes (zstd with <see cref="ZstdWorkers"/> threads of its own); the store reads from a second pipe. Bound per
/// part: two pipes of 4 MiB, two AEAD chunks, and the compressor — for zstd with workers, a context per worker and
/// about (workers + 2) × 2 jobs of one window, at least 1 MiB (level 3: two 2 MiB jobs per worker, ~20 MiB in all).
/// </remarks>
public static class PartWriter
{
    /// <summary>Bytes the pipe to the store holds before the producer waits: this bounds memory per part.</summary>
    internal const long PipePauseWriterThreshold = 4 * 1024 * 1024;

    internal const long PipeResumeWriterThreshold = 2 * 1024 * 1024;

    /// <summary>
    /// zstd compresses on two threads of its own when there are two cores or more (measured on two cores: more
    /// workers only add memory); on one core it compresses inline.
    /// </summary>
    internal static readonly int ZstdWorkers = Environment.ProcessorCount >= 2 ? 2 : 0;

    /// <summary>
    /// Writes the part <paramref name="partName"/> of backup <paramref name="backupId"/> to
    /// <paramref name="objectName"/>. <paramref name="produce"/> writes the plaintext into the stream it is given
    /// (and must not dispose it). The part key is derived from <paramref name="dataKey"/>, the backup id and the part name;
    /// with <see cref="EncryptionAlgorithm.None"/> there is no key (<paramref name="dataKey"/> may be empty) and the
    /// stored bytes are the compressed stream.
    /// </summary>
    /// <remarks>
    /// The producer, the encoding and <see cref="IBackupStore.PutAsync"/> run concurrently. When the producer throws, the content
    /// stream the store reads fails with that exception (and the part never gets its final chunk), so the store keeps
    /// no object; the producer's exception is rethrown. When the encoding fails, the producer's next write throws that
    /// exception. When the store fails, the producer is cancelled and the store's exception is rethrown.
    /// </remarks>
    public static async Task<StoredPart> WriteAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        string partName,
        string kind,
        PartSettings settings,
        ReadOnlyMemory<byte> dataKey,
        Func<Stream, CancellationToken, Task> produce,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(produce);

        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: PipePauseWriterThreshold,
            resumeWriterThreshold: PipeResumeWriterThreshold,
            useSynchronizationContext: false));
        using var sink = new HashingPipeSink(pipe.Writer);
        var plain = BuildPipeline(sink, backupId, partName, settings, dataKey.Span, out var encrypting, out var compressing);

        using var producerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Set before the producer is cancelled, so that a producer failure the store caused is not taken for the cause.
        var storeFailed = 0;
        // On its own thread: a store that reads synchronously must not keep the producer from starting.
        var put = Task.Run(
            async () =>
            {
                try
                {
                    await using var content = pipe.Reader.AsStream(leaveOpen: true);
                    await store.PutAsync(objectName, content, cancellationToken);
                }
                catch
                {
                    Volatile.Write(ref storeFailed, 1);
                    await producerCancellation.CancelAsync();
                    throw;
                }
                finally
                {
                    // Releases a producer waiting on a full pipe: its next write fails (the store stopped reading).
                    await pipe.Reader.CompleteAsync();
                }
            },
            CancellationToken.None);

        Exception? producerFailure = null;
        var causedByStore = false;
        // Producer and encoding on separate cores: compression, encryption and hashing run behind a bounded pipe.
        await using var behind = new WriteBehindStream(plain, producerCancellation.Token);
        try
        {
            await produce(behind, producerCancellation.Token);
            await behind.CompleteAsync();
            await compressing.DisposeAsync();
            if (encrypting is not null)
                await encrypting.DisposeAsync();
        }
        catch (Exception e)
        {
            producerFailure = e;
            causedByStore = Volatile.Read(ref storeFailed) == 1;
            // First stop the copy: nothing may write into the compressor while it is released.
            await behind.AbortAsync(e);
            encrypting?.Abort();
            await DisposeQuietlyAsync(compressing);
        }
        // Completing with the producer's exception makes the store's reads throw it, so the store keeps no object.
        await pipe.Writer.CompleteAsync(producerFailure);

        if (producerFailure is null)
        {
            await put;
            return new StoredPart(partName, kind, sink.BytesWritten, sink.Sha256Hex(), plain.BytesWritten);
        }

        if (causedByStore)
            await put; // throws the store's exception, the cause
        else
            await IgnoreFailureAsync(put); // the store failed because its content did
        ExceptionDispatchInfo.Throw(producerFailure);
        return null!; // not reached
    }

    private static CountingWriteStream BuildPipeline(
        Stream sink,
        string backupId,
        string partName,
        PartSettings settings,
        ReadOnlySpan<byte> dataKey,
        out EncryptingStream? encrypting,
        out Stream compressing)
    {
        if (settings.Encryption == EncryptionAlgorithm.None)
        {
            encrypting = null;
            compressing = CompressionStreams.Compress(sink, settings.Compression, settings.CompressionLevel, leaveOpen: true, ZstdWorkers);
            return new CountingWriteStream(compressing);
        }

        var partKey = PartKeys.Derive(dataKey, backupId, partName);
        try
        {
            encrypting = new EncryptingStream(
                sink, partKey, settings.Encryption, settings.Compression, settings.ChunkSize, leaveOpen: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(partKey);
        }

        try
        {
            compressing = CompressionStreams.Compress(encrypting, settings.Compression, settings.CompressionLevel, leaveOpen: true, ZstdWorkers);
        }
        catch
        {
            encrypting.Abort();
            throw;
        }
        return new CountingWriteStream(compressing);
    }

    private static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Reported through the exception that caused it.
        }
    }

    /// <summary>
    /// Releases the compressor after a failure; its final flush goes into the aborted encrypting stream (or, without
    /// encryption, into a pipe the store may have stopped reading) and may fail, which does not matter: the part is
    /// abandoned and the producer's exception is the one to report.
    /// </summary>
    private static async ValueTask DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync();
        }
        catch (Exception)
        {
            // Reported through the producer's exception.
        }
    }
}
