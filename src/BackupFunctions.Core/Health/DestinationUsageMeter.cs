using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Health;

/// <summary>
/// Measures how full a destination is: the sizes of all its objects, summed while the listing streams by (memory
/// stays flat however many objects there are), against its limit: the storage location's or the inline destination's
/// <c>maxSizeBytes</c>, else for a local folder what it could grow to (used + the file system's free space). Other
/// types without a limit have no total (object stores have no natural one).
/// </summary>
/// <remarks>
/// Temporary objects (uploads in progress, and what interrupted uploads left behind: see <see cref="IBackupStore"/>)
/// are counted in the used bytes, because they take the room they take — a local destination's put refuses on the
/// same sum, and a full disk is full whatever fills it — and are reported apart
/// (<see cref="StorageUsage.TemporaryBytes"/>, <see cref="StorageUsage.TemporaryObjects"/>), so a destination that
/// looks full because of leftovers says so. Job cleanup and retention remove them.
/// </remarks>
public sealed class DestinationUsageMeter(StorageLocations stores, IOptions<StorageOptions> options, TimeProvider time)
{
    public const string FromMaxSize = "maxSize";
    public const string FromFileSystem = "fileSystem";

    /// <exception cref="InvalidOperationException">The destination names a storage location that does not exist.</exception>
    /// <exception cref="StoreException">The destination cannot be listed.</exception>
    public async Task<StorageUsage> MeasureAsync(DestinationRef destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var location = await stores.FindAsync(destination.Destination, cancellationToken);
        if (destination.Destination.StorageId is { } id && location is null)
            throw new InvalidOperationException($"Storage location '{id}' does not exist.");
        var store = await stores.OpenAsync(destination.Destination, cancellationToken);

        long used = 0;
        await foreach (var stored in store.ListAsync("", cancellationToken))
            used += stored.Size;
        long temporaryBytes = 0;
        var temporaryObjects = 0;
        await foreach (var temporary in store.ListTemporaryAsync("", cancellationToken))
        {
            temporaryBytes += temporary.Size;
            temporaryObjects++;
        }
        used += temporaryBytes;

        long? total = location is null ? destination.Destination.MaxSizeBytes : location.MaxSizeBytes;
        var from = total is null ? null : FromMaxSize;
        if (total is null && LocalFolderOf(destination, location) is { } folder)
        {
            total = used + FreeSpace(folder);
            from = FromFileSystem;
        }
        return new StorageUsage
        {
            Destination = destination.Key,
            Name = location?.Name ?? destination.Name,
            UsedBytes = used,
            TemporaryBytes = temporaryBytes,
            TemporaryObjects = temporaryObjects,
            TotalBytes = total,
            Percentage = StorageUsage.PercentageOf(used, total),
            TotalFrom = from,
            MeasuredAt = time.GetUtcNow(),
        };
    }

    /// <summary>The folder of a local destination (as the store factory resolves it), or null for other types.</summary>
    private string? LocalFolderOf(DestinationRef destination, StorageLocation? location)
    {
        var path = location is null
            ? destination.Destination.Type == BackupStoreFactory.LocalType ? destination.Destination.Path : null
            : location.Type == StorageTypes.Local && location.Settings.TryGetValue("path", out var p) ? p : null;
        return path is null || string.IsNullOrWhiteSpace(options.Value.LocalRoot)
            ? null
            : Path.GetFullPath(Path.Combine(options.Value.LocalRoot, path));
    }

    /// <summary>The free space of the file system holding <paramref name="folder"/> (or its nearest existing parent: a
    /// destination's folder appears with its first backup).</summary>
    private static long FreeSpace(string folder)
    {
        var existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            existing = parent;
        return new DriveInfo(existing).AvailableFreeSpace;
    }
}
