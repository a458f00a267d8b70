using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Encryption;

/// <summary>
/// Read-only stream of the plaintext of a part written by <see cref="EncryptingStream"/>. Every chunk is authenticated
/// before any of its bytes are returned; a chunk is known to be the last one by reading one byte past it (lookahead),
/// so truncation at a chunk boundary, a dropped final chunk and trailing bytes are all detected.
/// </summary>
/// <remarks>
/// The caller states what the header must say (from the authenticated manifest); any difference, failed
/// authentication or truncation throws <see cref="IntegrityException"/> naming the part, and so does every later read.
/// </remarks>
public sealed class DecryptingStream : ForwardOnlyReadStream
{
    private readonly Stream _input;
    private readonly bool _leaveOpen;
    private readonly string _objectName;
    private readonly ChunkAead _aead;
    private readonly EncryptionAlgorithm _algorithm;
    private readonly CompressionAlgorithm _compression;
    private readonly byte[] _header = new byte[PartHeader.Size];
    private readonly byte[] _plain;
    // One sealed chunk (ciphertext + tag) plus one lookahead byte.
    private readonly byte[] _sealed;
    private int _sealedLength;
    private int _plainOffset;
    private int _plainLength;
    private long _nextChunk;
    private bool _headerRead;
    private bool _finished;
    private IntegrityException? _failure;
    private bool _disposed;

    /// <param name="key">The 32-byte part key; copied, so the caller may zero it.</param>
    /// <param name="objectName">Names the part in error messages.</param>
    /// <param name="algorithm">What the header must say (the manifest's encryption).</param>
    /// <param name="compression">What the header must say (the manifest's compression).</param>
    /// <param name="chunkSize">What the header must say (the manifest's chunk size).</param>
    public DecryptingStream(
        Stream input,
        ReadOnlySpan<byte> key,
        string objectName,
        EncryptionAlgorithm algorithm,
        CompressionAlgorithm compression,
        int chunkSize,
        bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        PartHeader.CheckChunkSize(chunkSize);
        _aead = ChunkAead.Create(key, algorithm);
        _input = input;
        _leaveOpen = leaveOpen;
        _objectName = objectName;
        _algorithm = algorithm;
        _compression = compression;
        _plain = new byte[chunkSize];
        _sealed = new byte[chunkSize + PartHeader.TagSize + 1];
    }

    public override bool CanRead => !_disposed;

    public override int Read(Span<byte> buffer)
    {
        ThrowIfUnreadable();
        if (buffer.IsEmpty)
            return 0;
        while (_plainOffset == _plainLength && !_finished)
        {
            if (!_headerRead)
                CheckHeader(_input.ReadAtLeast(_header, _header.Length, throwOnEndOfStream: false));
            _sealedLength += _input.ReadAtLeast(
                _sealed.AsSpan(_sealedLength), _sealed.Length - _sealedLength, throwOnEndOfStream: false);
            OpenChunk();
        }
        return CopyPlain(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfUnreadable();
        if (buffer.IsEmpty)
            return 0;
        while (_plainOffset == _plainLength && !_finished)
        {
            if (!_headerRead)
            {
                CheckHeader(await _input.ReadAtLeastAsync(
                    _header, _header.Length, throwOnEndOfStream: false, cancellationToken));
            }
            _sealedLength += await _input.ReadAtLeastAsync(
                _sealed.AsMemory(_sealedLength), _sealed.Length - _sealedLength, throwOnEndOfStream: false, cancellationToken);
            OpenChunk();
        }
        return CopyPlain(buffer.Span);
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            Release();
            if (!_leaveOpen)
                _input.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            Release();
            if (!_leaveOpen)
                await _input.DisposeAsync();
        }
        await base.DisposeAsync();
    }

    private void ThrowIfUnreadable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failure is not null)
            throw _failure;
    }

    private void CheckHeader(int bytesRead)
    {
        _headerRead = true;
        if (bytesRead < PartHeader.Size)
            throw Fail("truncated: shorter than the part header");
        if (PartHeader.Mismatch(_header, _algorithm, _compression, _plain.Length) is { } mismatch)
            throw Fail(mismatch);
    }

    /// <summary>Authenticates and decrypts the chunk at the start of <see cref="_sealed"/>.</summary>
    private void OpenChunk()
    {
        // Without the lookahead byte the input has ended, so this chunk must be the final one.
        var last = _sealedLength < _sealed.Length;
        var sealedChunk = last ? _sealedLength : _sealed.Length - 1;
        if (sealedChunk < PartHeader.TagSize)
            throw Fail($"truncated: chunk {_nextChunk} is shorter than its authentication tag");
        if (_nextChunk > uint.MaxValue)
            throw Fail("more than 2^32 chunks");

        Span<byte> nonce = stackalloc byte[PartHeader.NonceSize];
        PartHeader.WriteNonce(nonce, _header, (uint)_nextChunk, last);
        var plainLength = sealedChunk - PartHeader.TagSize;
        try
        {
            _aead.Decrypt(
                nonce,
                _sealed.AsSpan(0, plainLength),
                _sealed.AsSpan(plainLength, PartHeader.TagSize),
                _plain.AsSpan(0, plainLength),
                _header);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw Fail(
                $"chunk {_nextChunk} failed authentication (altered, truncated, reordered, from another backup or part, or the wrong key)",
                e);
        }

        _nextChunk++;
        _plainOffset = 0;
        _plainLength = plainLength;
        if (last)
        {
            _finished = true;
            _sealedLength = 0;
        }
        else
        {
            _sealed[0] = _sealed[^1];
            _sealedLength = 1;
        }
    }

    private int CopyPlain(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _plainLength - _plainOffset);
        _plain.AsSpan(_plainOffset, count).CopyTo(buffer);
        _plainOffset += count;
        return count;
    }

    private IntegrityException Fail(string reason, Exception? inner = null)
        => _failure = new IntegrityException(_objectName, reason, inner);

    private void Release()
    {
        _disposed = true;
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
    }
}
