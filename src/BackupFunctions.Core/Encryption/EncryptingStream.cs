using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Encryption;

/// <summary>
/// Write-only stream that encrypts into <c>output</c> as a chunked AEAD stream (the STREAM construction; layout in
/// docs/format.md): the part header, then chunks of exactly the chunk size sealed with AES-256-GCM or ChaCha20-Poly1305, the last chunk
/// shorter (possibly empty) and marked final in its nonce. Buffers at most one chunk.
/// </summary>
/// <remarks>
/// The final chunk is written by <see cref="FlushFinalBlock"/>, <see cref="FlushFinalBlockAsync"/> or disposal, so
/// a part that was not finished never authenticates as complete. <see cref="Flush()"/> flushes the output but
/// cannot end a chunk early (chunk boundaries are fixed by the chunk size).
/// </remarks>
public sealed class EncryptingStream : ForwardOnlyWriteStream
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private readonly ChunkAead _aead;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _sealed;
    private int _plainLength;
    private long _nextChunk;
    private bool _finished;
    private bool _aborted;
    private bool _disposed;

    /// <summary>Starts a part with a random nonce prefix.</summary>
    /// <param name="key">The 32-byte part key (see <see cref="PartKeys.Derive"/>); copied, so the caller may zero it.</param>
    /// <param name="compression">Recorded in the header (the caller compresses).</param>
    /// <param name="algorithm">An AEAD: <see cref="EncryptionAlgorithm.Aes256Gcm"/> or <see cref="EncryptionAlgorithm.ChaCha20Poly1305"/>.</param>
    /// <param name="chunkSize">Plaintext bytes per chunk, 1 to 16 MiB.</param>
    public EncryptingStream(
        Stream output,
        ReadOnlySpan<byte> key,
        EncryptionAlgorithm algorithm,
        CompressionAlgorithm compression,
        int chunkSize,
        bool leaveOpen = false)
        : this(output, key, algorithm, compression, chunkSize, RandomNumberGenerator.GetBytes(PartHeader.NoncePrefixSize), leaveOpen)
    {
    }

    /// <summary>With a given nonce prefix: only for test vectors. Reusing a prefix with the same key is fatal to security.</summary>
    internal EncryptingStream(
        Stream output,
        ReadOnlySpan<byte> key,
        EncryptionAlgorithm algorithm,
        CompressionAlgorithm compression,
        int chunkSize,
        ReadOnlySpan<byte> noncePrefix,
        bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(output);
        PartHeader.CheckChunkSize(chunkSize);
        _aead = ChunkAead.Create(key, algorithm);
        _output = output;
        _leaveOpen = leaveOpen;
        _header = PartHeader.Create(algorithm, compression, chunkSize, noncePrefix);
        _plain = new byte[chunkSize];
        _sealed = new byte[PartHeader.Size + chunkSize + PartHeader.TagSize];
    }

    public override bool CanWrite => !_disposed;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            // A full chunk is sealed only once more data arrives: until then it may still be the final one.
            if (_plainLength == _plain.Length)
                _output.Write(_sealed, 0, SealChunk(last: false));
            buffer = buffer[Buffer(buffer)..];
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        while (!buffer.IsEmpty)
        {
            if (_plainLength == _plain.Length)
                await _output.WriteAsync(_sealed.AsMemory(0, SealChunk(last: false)), cancellationToken);
            buffer = buffer[Buffer(buffer.Span)..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Writes the final chunk (at most once); nothing can be written after it.</summary>
    public void FlushFinalBlock()
    {
        ThrowIfNotWritable();
        _output.Write(_sealed, 0, SealChunk(last: true));
        _finished = true;
    }

    /// <inheritdoc cref="FlushFinalBlock"/>
    public async ValueTask FlushFinalBlockAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotWritable();
        await _output.WriteAsync(_sealed.AsMemory(0, SealChunk(last: true)), cancellationToken);
        _finished = true;
    }

    /// <summary>
    /// Ends the stream WITHOUT its final chunk (the producer failed): whatever was written can never authenticate as
    /// a complete part. Disposes the stream.
    /// </summary>
    public void Abort()
    {
        _aborted = true;
        Dispose();
    }

    public override void Flush() => _output.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                if (!_finished && !_aborted)
                    FlushFinalBlock();
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                    _output.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                if (!_finished && !_aborted)
                    await FlushFinalBlockAsync();
            }
            finally
            {
                Release();
                if (!_leaveOpen)
                    await _output.DisposeAsync();
            }
        }
        await base.DisposeAsync();
    }

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            throw new InvalidOperationException("The final chunk has been written; the part is complete.");
    }

    /// <summary>Copies what fits of <paramref name="data"/> into the chunk buffer and says how much.</summary>
    private int Buffer(ReadOnlySpan<byte> data)
    {
        var take = Math.Min(data.Length, _plain.Length - _plainLength);
        data[..take].CopyTo(_plain.AsSpan(_plainLength));
        _plainLength += take;
        return take;
    }

    /// <summary>Seals the buffered plaintext into <see cref="_sealed"/> (after the header, for chunk 0); returns the bytes to write.</summary>
    private int SealChunk(bool last)
    {
        if (_nextChunk > uint.MaxValue)
            throw new IOException("The part is too long: it would need more than 2^32 chunks.");

        var offset = 0;
        if (_nextChunk == 0)
        {
            _header.CopyTo(_sealed, 0);
            offset = PartHeader.Size;
        }

        Span<byte> nonce = stackalloc byte[PartHeader.NonceSize];
        PartHeader.WriteNonce(nonce, _header, (uint)_nextChunk, last);
        _aead.Encrypt(
            nonce,
            _plain.AsSpan(0, _plainLength),
            _sealed.AsSpan(offset, _plainLength),
            _sealed.AsSpan(offset + _plainLength, PartHeader.TagSize),
            _header);

        var length = offset + _plainLength + PartHeader.TagSize;
        _nextChunk++;
        _plainLength = 0;
        return length;
    }

    private void Release()
    {
        _disposed = true;
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
    }
}
