using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Backups;

/// <summary>Reads a backup's manifest from a destination without the key (its MAC is checked later, by whoever has the key).</summary>
public static class StoredManifest
{
    /// <summary>A manifest is a few KiB; more than this is not one of ours.</summary>
    private const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>The manifest of the backup in <paramref name="folder"/> and its exact stored bytes.</summary>
    /// <exception cref="StoreObjectNotFoundException">The backup has no manifest there (missing or incomplete).</exception>
    /// <exception cref="IntegrityException">The manifest cannot be parsed or is too large.</exception>
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
                throw new IntegrityException(name, $"larger than {MaxBytes} bytes: not a manifest");
            buffer.Write(chunk, 0, read);
        }
        var bytes = buffer.ToArray();
        return (ManifestFile.Read(bytes), bytes);
    }
}
