using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Format;

/// <summary>
/// Streams one part into a destination: plaintext → compression → chunked AEAD → (count + SHA-256) → store.
/// Memory stays bounded by a few chunks whatever the part's size.
/// </summary>
public static class PartWriter
{
    /// <summary>
    /// Writes the part <paramref name="partName"/> of backup <paramref name="backupId"/> to
    /// <paramref name="objectName"/>. <paramref name="produce"/> writes the plaintext into the stream it is given
    /// (and must not dispose it). The part key is derived from <paramref name="dataKey"/>, the backup id and the part name.
    /// </summary>
    public static Task<StoredPart> WriteAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        string partName,
        string kind,
        PartSettings settings,
        ReadOnlyMemory<byte> dataKey,
        Func<Stream, CancellationToken, Task> produce,
        CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
