namespace BackupFunctions.Core.Storage;

/// <summary>
/// A store that can copy an object from another store without the bytes passing through this process (S3
/// CopyObject within one endpoint and account; Azure copy-blob within one storage account).
/// </summary>
/// <remarks>
/// The copy keeps the <see cref="IBackupStore"/> contract of a put: the object appears whole under its name or not
/// at all, with this store's own settings (storage class or tier, immutability lock). Callers verify the copy by
/// reading it back (quick verification), as they would after a streamed copy.
/// </remarks>
public interface IServerSideCopy
{
    /// <summary>
    /// Copies <paramref name="sourceName"/> of <paramref name="source"/> to <paramref name="name"/> here when the
    /// service can do it between these two stores; false (nothing done) when it cannot, and the caller streams.
    /// </summary>
    Task<bool> TryCopyFromAsync(IBackupStore source, string sourceName, string name, CancellationToken cancellationToken);
}
