using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupCli;

/// <summary>Finds backups in a destination by their objects alone: <c>&lt;prefix&gt;backups/&lt;id&gt;/…</c>.</summary>
internal static class StoredBackups
{
    /// <summary>Every backup folder under the prefix with its objects, in id order (newest first: ids start with inverted time).</summary>
    public static async Task<IReadOnlyList<(string BackupId, IReadOnlyList<StoredObjectInfo> Objects)>> ListAsync(
        IBackupStore store, string prefix, CancellationToken cancellationToken)
    {
        var root = BackupsRoot(prefix);
        var backups = new SortedDictionary<string, List<StoredObjectInfo>>(StringComparer.Ordinal);
        await foreach (var info in store.ListAsync(root, cancellationToken))
        {
            var rest = info.Name[root.Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
                continue;
            var id = rest[..slash];
            if (!backups.TryGetValue(id, out var objects))
                backups[id] = objects = [];
            objects.Add(info);
        }

        return [.. backups.Select(b => (b.Key, (IReadOnlyList<StoredObjectInfo>)b.Value))];
    }

    /// <summary>
    /// Reads a backup's manifest without checking its MAC (that needs the key), through the engine's capped reader
    /// (<see cref="StoredManifest"/>: an oversized or malformed manifest is an integrity failure). A backup that is
    /// not there, or has parts but no manifest (incomplete), fails with a message that says which.
    /// </summary>
    public static async Task<UnverifiedManifest> ReadManifestAsync(
        IBackupStore store, DestinationUri destination, string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        var folder = ObjectNames.BackupFolder(destination.Prefix, backupId);
        try
        {
            // The engine's capped reader: a hostile destination cannot make backupctl hold a huge "manifest".
            return (await StoredManifest.ReadAsync(store, folder, cancellationToken)).Manifest;
        }
        catch (StoreObjectNotFoundException ex)
        {
            await using var objects = store.ListAsync(folder, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var incomplete = await objects.MoveNextAsync();
            throw new BackupNotFoundException(incomplete
                ? $"backup {backupId} in {destination} is incomplete: it has parts but no manifest.json (a backup that did not finish)."
                : $"there is no backup {backupId} in {destination} (see backupctl ls).", ex);
        }
    }

    /// <summary>'&lt;prefix&gt;/backups/' or 'backups/'.</summary>
    public static string BackupsRoot(string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? "backups/" : trimmed + "/backups/";
    }

    private static void CheckId(string backupId)
    {
        if (backupId.Length == 0 || backupId is "." or ".." || backupId.Any(c => c is '/' or '\\' || char.IsControl(c)))
            throw new UsageException($"'{backupId}' is not a backup id (see backupctl ls).");
    }
}
