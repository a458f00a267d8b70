using System.Buffers.Binary;
using BackupFunctions.Core.Compression;

namespace BackupFunctions.Core.Encryption;

/// <summary>
/// The plain header that starts every part and is the associated data of every chunk (layout in docs/format.md):
/// <c>"BFP1"</c>, format version, encryption algorithm (an AEAD; parts without encryption have no header), compression algorithm, chunk size (uint32 LE),
/// 7-byte nonce prefix.
/// </summary>
internal static class PartHeader
{
    public const int Size = 18;
    public const byte FormatVersion = 1;
    public const int NoncePrefixSize = 7;
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>Caps the buffers a reader allocates; a chunk of 1 MiB (the default) is plenty.</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    public static ReadOnlySpan<byte> Magic => "BFP1"u8;

    private const int VersionOffset = 4;
    private const int AlgorithmOffset = 5;
    private const int CompressionOffset = 6;
    private const int ChunkSizeOffset = 7;
    private const int NoncePrefixOffset = 11;

    public static byte[] Create(
        EncryptionAlgorithm algorithm, CompressionAlgorithm compression, int chunkSize, ReadOnlySpan<byte> noncePrefix)
    {
        if (noncePrefix.Length != NoncePrefixSize)
            throw new ArgumentException($"The nonce prefix is {NoncePrefixSize} bytes.", nameof(noncePrefix));
        var header = new byte[Size];
        Magic.CopyTo(header);
        header[VersionOffset] = FormatVersion;
        header[AlgorithmOffset] = (byte)algorithm;
        header[CompressionOffset] = (byte)compression;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(ChunkSizeOffset), (uint)chunkSize);
        noncePrefix.CopyTo(header.AsSpan(NoncePrefixOffset));
        return header;
    }

    public static void CheckChunkSize(int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, MaxChunkSize);
    }

    /// <summary>Why <paramref name="header"/> differs from what the reader expects, or null when it does not.</summary>
    public static string? Mismatch(
        ReadOnlySpan<byte> header, EncryptionAlgorithm algorithm, CompressionAlgorithm compression, int chunkSize)
    {
        if (!header.StartsWith(Magic))
            return "not a backup part (the header does not start with \"BFP1\")";
        if (header[VersionOffset] != FormatVersion)
            return $"part format version {header[VersionOffset]}, expected {FormatVersion}";
        if (header[AlgorithmOffset] != (byte)algorithm)
            return $"part encryption algorithm {header[AlgorithmOffset]}, the manifest says {(byte)algorithm}";
        if (header[CompressionOffset] != (byte)compression)
            return $"part compression algorithm {header[CompressionOffset]}, the manifest says {(byte)compression}";
        var headerChunkSize = BinaryPrimitives.ReadUInt32LittleEndian(header[ChunkSizeOffset..]);
        if (headerChunkSize != (uint)chunkSize)
            return $"part chunk size {headerChunkSize}, the manifest says {chunkSize}";
        return null;
    }

    /// <summary>Nonce of chunk <paramref name="index"/>: prefix(7) ‖ index (uint32 BE) ‖ 1 for the final chunk, else 0.</summary>
    public static void WriteNonce(Span<byte> nonce, ReadOnlySpan<byte> header, uint index, bool last)
    {
        header.Slice(NoncePrefixOffset, NoncePrefixSize).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], index);
        nonce[NonceSize - 1] = last ? (byte)1 : (byte)0;
    }
}
