using System.Diagnostics;
using System.Security.Cryptography;
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
/// <remarks>
/// An incremental backup is restorable only with the backups it references, in the same destination. So before its
/// manifest is put, each referenced backup is checked on the target — its manifest the very bytes the source holds,
/// each referenced volume there with the reference's size and SHA-256 (read back) — and where it is missing or
/// incomplete it is copied whole first, the same way (its own references first, its manifest last), so the target's
/// copy is restorable on its own.
/// </remarks>
public static class BackupReplicator
{
    /// <param name="beforeManifest">Runs right before the manifest is put: a check that may still refuse the commit.</param>
    /// <exception cref="StoreObjectNotFoundException">The source has no such backup (or not a backup it references).</exception>
    /// <exception cref="IntegrityException">An object of the source does not match its manifest, or a referenced backup
    /// of the source does not list a volume as the reference does.</exception>
    public static async Task<ReplicationResult> CopyAsync(
        IBackupStore source, string sourceFolder, IBackupStore target, string targetFolder, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? beforeManifest = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var started = Stopwatch.GetTimestamp();
        var totals = new Totals();
        await CopyBackupAsync(source, sourceFolder, target, targetFolder, totals, new HashSet<string>(StringComparer.Ordinal), beforeManifest, cancellationToken);
        return new ReplicationResult(totals.Objects, totals.Bytes, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3), totals.ServerSide)
        {
            CopiedReferences = totals.CopiedReferences,
        };
    }

    private static async Task CopyBackupAsync(
        IBackupStore source, string sourceFolder, IBackupStore target, string targetFolder, Totals totals, HashSet<string> seen,
        Func<CancellationToken, Task>? beforeManifest, CancellationToken cancellationToken)
    {
        var (manifest, manifestBytes) = await StoredManifest.ReadAsync(source, sourceFolder, cancellationToken);
        seen.Add(manifest.Manifest.BackupId);
        var copier = target.Innermost() as IServerSideCopy;
        foreach (var part in manifest.Manifest.Objects)
        {
            totals.Objects++;
            totals.Bytes += part.StoredSize;
            if (copier is not null && await copier.TryCopyFromAsync(source, sourceFolder + part.Name, targetFolder + part.Name, cancellationToken))
            {
                totals.ServerSide++;
                continue;
            }
            await using var read = new VerifyingReadStream(
                await source.OpenReadAsync(sourceFolder + part.Name, cancellationToken), part.Name, part.StoredSize, part.Sha256);
            await target.PutAsync(targetFolder + part.Name, read, cancellationToken);
        }
        foreach (var reference in ManifestReferences.Of(manifest.Manifest))
        {
            // A cycle is never written, but a manifest is data: each backup is looked at once per copy.
            if (!seen.Add(reference.BackupId))
                continue;
            var referencedSource = ChainFolders.Beside(sourceFolder, reference.BackupId);
            var referencedTarget = ChainFolders.Beside(targetFolder, reference.BackupId);
            var (sourceManifest, sourceBytes) = await StoredManifest.ReadAsync(source, referencedSource, cancellationToken);
            CheckListing(sourceManifest.Manifest, reference);
            if (await HoldsAsync(target, referencedTarget, reference, sourceBytes, cancellationToken))
                continue;
            await CopyBackupAsync(source, referencedSource, target, referencedTarget, totals, seen, null, cancellationToken);
            totals.CopiedReferences.Add(reference.BackupId);
        }
        // The commit point of the copy: the very bytes the source holds (their MAC binds them to the data key).
        if (beforeManifest is not null)
            await beforeManifest(cancellationToken);
        await target.PutAsync(targetFolder + ObjectNames.Manifest, new MemoryStream(manifestBytes, writable: false), cancellationToken);
        totals.Objects++;
        totals.Bytes += manifestBytes.Length;
    }

    /// <summary>The source's referenced backup must list each referenced volume as the reference does, or copying it is no help.</summary>
    private static void CheckListing(BackupManifest referenced, BackupReference reference)
    {
        foreach (var part in reference.Objects)
        {
            var listed = referenced.Objects.FirstOrDefault(o => o.Name == part.Name);
            if (referenced.BackupId != reference.BackupId || listed is null || !listed.SameStoredBytesAs(part))
            {
                throw new IntegrityException(ObjectNames.Manifest,
                    $"the source's referenced backup {reference.BackupId} does not list {part.Name} as the reference does");
            }
        }
    }

    /// <summary>
    /// Whether the target holds the referenced backup whole for this reference: its manifest the source's very bytes,
    /// and each referenced volume present with the reference's stored size.
    /// </summary>
    private static async Task<bool> HoldsAsync(
        IBackupStore target, string folder, BackupReference reference, byte[] sourceManifest, CancellationToken cancellationToken)
    {
        try
        {
            var (_, targetManifest) = await StoredManifest.ReadAsync(target, folder, cancellationToken);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(targetManifest), SHA256.HashData(sourceManifest)))
                return false;
        }
        catch (Exception e) when (e is StoreObjectNotFoundException or IntegrityException or NotSupportedException)
        {
            return false;
        }
        // Presence and size, not a read-back: re-reading every referenced volume on every replica each night would
        // cost the whole site's stored bytes (egress on a remote replica); the replica's scheduled verification reads them.
        foreach (var part in reference.Objects)
        {
            if (await target.GetInfoAsync(folder + part.Name, cancellationToken) is not { } info || info.Size != part.StoredSize)
                return false;
        }
        return true;
    }

    private sealed class Totals
    {
        public int Objects { get; set; }
        public long Bytes { get; set; }
        public int ServerSide { get; set; }
        public List<string> CopiedReferences { get; } = [];
    }
}
