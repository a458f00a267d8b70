using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Before a restore writes anything: every part the (authenticated) manifest lists is in the destination with its
/// stored size. A part that is missing is damage to the backup — an integrity failure, as verification and
/// <c>backupctl ls</c> report it — not a backup that is not there; the restore refuses the backup as a whole, also
/// when the missing part is one it would not read (restore another backup, or from another copy).
/// </summary>
public static class PartPresence
{
    /// <param name="folder">The backup's folder in <paramref name="store"/>, ending with '/'.</param>
    /// <exception cref="IntegrityException">A part is missing or has another stored size; names the part.</exception>
    public static async Task EnsureAllPresentAsync(IBackupStore store, string folder, BackupManifest manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var part in manifest.Objects)
        {
            var name = folder + part.Name;
            var info = await store.GetInfoAsync(name, cancellationToken)
                ?? throw new IntegrityException(name, "listed in the manifest but missing from the destination");
            if (info.Size != part.StoredSize)
                throw new IntegrityException(name, $"{info.Size} bytes stored, the manifest says {part.StoredSize}");
        }
    }
}
