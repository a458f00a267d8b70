using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Reads a backup's manifest from a destination without the key (its MAC is checked later, by whoever has the key).
/// The one reader of <c>manifest.json</c>: the service (verification, replication, restore) and backupctl (ls, verify,
/// restore) all read it through here, so a hostile destination cannot make any of them hold more than
/// <see cref="MaxBytes"/> of it.
/// </summary>
public static class StoredManifest
{
    /// <summary>A manifest is a few KiB (about 200 bytes per part); more than this is not one of ours.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>The manifest of the backup in <paramref name="folder"/> and its exact stored bytes.</summary>
    /// <exception cref="StoreObjectNotFoundException">The backup has no manifest there (missing or incomplete).</exception>
    /// <exception cref="IntegrityException">The manifest cannot be parsed or is larger than <see cref="MaxBytes"/>
    /// (refused after reading at most that much, never read whole).</exception>
    /// <exception cref="NotSupportedException">The manifest is of a newer format version.</exception>
    public static async Task<(UnverifiedManifest Manifest, byte[] Bytes)> ReadAsync(IBackupStore store, string folder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = folder + ObjectNames.Manifest;
        await using var stream = await store.OpenReadAsync(name, cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new IntegrityException(name, $"larger than {MaxBytes / (1024 * 1024)} MiB, the most a manifest may be: refused unread");
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        return (ManifestFile.Read(bytes), bytes);
    }
}
