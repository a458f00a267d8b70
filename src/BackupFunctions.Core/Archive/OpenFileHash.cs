using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The SHA-256 of a file through a handle already open (and already checked by the caller: no second path lookup),
/// read at offsets, so the handle's position is neither used nor moved.
/// </summary>
internal static class OpenFileHash
{
    private const int BufferSize = 128 * 1024;

    /// <summary>The hash of every byte the file has now, and how many that was.</summary>
    public static (byte[] Sha256, long Size) Compute(SafeFileHandle file, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = RandomAccess.Read(file, buffer.AsSpan(0, BufferSize), size)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                size += read;
            }
            return (hash.GetHashAndReset(), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
