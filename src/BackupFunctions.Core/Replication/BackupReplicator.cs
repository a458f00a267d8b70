using System.Diagnostics;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Replication;

/// <summary>
/// Copies a committed backup from its primary to another destination, streamed, with the same write order as the
/// backup itself: parts and index first, the manifest last, so a copy that breaks off is incomplete (no manifest)
/// and never taken for a backup. Every object is checked against the manifest's size and SHA-256 while it is copied:
/// a damaged source fails the copy of that object and leaves nothing under its name on the target. Where the target
/// service can copy from the source itself (<see cref="IServerSideCopy"/>: one S3 endpoint and key, one Azure
/// account) the parts are copied server-side instead, without the check in passing: the quick verification that
/// follows every copy reads them back. Needs no key.
/// </summary>
public static class BackupReplicator
{
    /// <param name="beforeManifest">Runs right before the manifest is put: a check that may still refuse the commit.</param>
    /// <exception cref="StoreObjectNotFoundException">The source has no such backup.</exception>
    /// <exception cref="IntegrityException">An object of the source does not match its manifest.</exception>
    public static async Task<ReplicationResult> CopyAsync(
        IBackupStore source, string sourceFolder, IBackupStore target, string targetFolder, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? beforeManifest = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var started = Stopwatch.GetTimestamp();
        var (manifest, manifestBytes) = await StoredManifest.ReadAsync(source, sourceFolder, cancellationToken);
        long bytes = 0;
        var serverSide = 0;
        var copier = target.Innermost() as IServerSideCopy;
        foreach (var part in manifest.Manifest.Objects)
        {
            bytes += part.StoredSize;
            if (copier is not null && await copier.TryCopyFromAsync(source, sourceFolder + part.Name, targetFolder + part.Name, cancellationToken))
            {
                serverSide++;
                continue;
            }
            await using var read = new VerifyingReadStream(
                await source.OpenReadAsync(sourceFolder + part.Name, cancellationToken), part.Name, part.StoredSize, part.Sha256);
            await target.PutAsync(targetFolder + part.Name, read, cancellationToken);
        }
        // The commit point of the copy: the very bytes the primary holds (their MAC binds them to the data key).
        if (beforeManifest is not null)
            await beforeManifest(cancellationToken);
        await target.PutAsync(targetFolder + ObjectNames.Manifest, new MemoryStream(manifestBytes, writable: false), cancellationToken);
        return new ReplicationResult(manifest.Manifest.Objects.Count + 1, bytes + manifestBytes.Length,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3), serverSide);
    }
}
