using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Verification;

/// <summary>
/// Quick verification of one copy, after every backup: every object the manifest lists is read back from the
/// destination and its size and SHA-256 compared with the manifest, and the manifest's own SHA-256 with the one the
/// catalog recorded. An incremental's referenced volumes are checked the same way where they live, in the referenced
/// backups' folders beside it, and each referenced backup's manifest must be there and list the volume as the reference
/// does: a backup whose files are partly elsewhere is only as good as those. Needs no key, so a wrap-only identity can
/// run it.
/// </summary>
public sealed class QuickVerifier(TimeProvider time)
{
    public const string Level = "quick";

    /// <param name="manifestSha256">The SHA-256 (hex) of the manifest as written; null to skip that check.</param>
    /// <param name="readReferenced">
    /// Read an incremental's referenced volumes back and hash them (a scheduled or requested verification); false: only
    /// their presence and size (the check right after a backup). A nightly incremental would otherwise read the whole
    /// site's stored bytes back every night, though each referenced volume was read and hashed when the backup that
    /// holds it was verified, and the scheduled verifications read it again.
    /// </param>
    public async Task<VerificationResult> VerifyAsync(
        IBackupStore store, string folder, string? manifestSha256, CancellationToken cancellationToken, bool readReferenced = true)
    {
        ArgumentNullException.ThrowIfNull(store);
        var started = Stopwatch.GetTimestamp();
        var problems = new List<string>();
        var objects = 0;
        long bytes = 0;
        UnverifiedManifest? manifest = null;
        try
        {
            var (read, manifestBytes) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
            manifest = read;
            objects++;
            bytes += manifestBytes.Length;
            if (manifestSha256 is not null && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(manifestBytes), Convert.FromHexString(manifestSha256)))
                problems.Add($"{ObjectNames.Manifest}: SHA-256 differs from the one recorded when the backup was made (replaced or altered)");
        }
        catch (StoreObjectNotFoundException)
        {
            problems.Add($"{ObjectNames.Manifest}: missing from {store.Location}");
        }
        catch (IntegrityException ex)
        {
            problems.Add(ex.Message);
        }

        foreach (var part in manifest?.Manifest.Objects ?? [])
        {
            objects++;
            var problem = await CheckAsync(store, folder, part, cancellationToken);
            if (problem is null)
                bytes += part.StoredSize;
            else
                problems.Add(problem);
        }
        foreach (var reference in manifest is null ? [] : ManifestReferences.Of(manifest.Manifest))
        {
            var (checkedObjects, checkedBytes) = await CheckReferenceAsync(store, folder, reference, readReferenced, problems, cancellationToken);
            objects += checkedObjects;
            bytes += checkedBytes;
        }
        return new VerificationResult(Level, problems.Count == 0, objects, bytes, problems, time.GetUtcNow(),
            Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3));
    }

    /// <summary>Presence and size of a part, from the destination's listing of it (nothing read).</summary>
    private static async Task<string?> CheckSizeAsync(IBackupStore store, string folder, StoredPart part, CancellationToken cancellationToken)
    {
        var info = await store.GetInfoAsync(folder + part.Name, cancellationToken);
        if (info is null)
            return $"{part.Name}: missing from {store.Location}";
        return info.Size == part.StoredSize ? null : $"{part.Name}: {info.Size} bytes stored, the manifest lists {part.StoredSize}";
    }

    /// <summary>
    /// The referenced backup's manifest (present, parseable, listing each referenced volume with the reference's size and
    /// SHA-256) and each referenced volume (size and SHA-256 read back). Problems name the referenced backup and part.
    /// </summary>
    private static async Task<(int Objects, long Bytes)> CheckReferenceAsync(
        IBackupStore store, string folder, BackupReference reference, bool readContent, List<string> problems, CancellationToken cancellationToken)
    {
        var referenced = ChainFolders.Beside(folder, reference.BackupId);
        var what = $"referenced backup {reference.BackupId}";
        var objects = 0;
        long bytes = 0;
        try
        {
            var (read, manifestBytes) = await StoredManifest.ReadAsync(store, referenced, cancellationToken);
            objects++;
            bytes += manifestBytes.Length;
            if (read.Manifest.BackupId != reference.BackupId)
                problems.Add($"{what}: its {ObjectNames.Manifest} is backup {read.Manifest.BackupId}'s");
            foreach (var part in reference.Objects)
            {
                var listed = read.Manifest.Objects.FirstOrDefault(o => o.Name == part.Name);
                if (listed is null)
                    problems.Add($"{what}: its {ObjectNames.Manifest} does not list {part.Name}");
                else if (!listed.SameStoredBytesAs(part))
                    problems.Add($"{what}: its {ObjectNames.Manifest} lists {part.Name} with another size or SHA-256 than this backup's reference");
            }
        }
        catch (StoreObjectNotFoundException)
        {
            problems.Add($"{what}: {ObjectNames.Manifest} missing from {store.Location} (the backup is gone or incomplete)");
        }
        catch (Exception ex) when (ex is IntegrityException or NotSupportedException)
        {
            problems.Add($"{what}: {ex.Message}");
        }
        foreach (var part in reference.Objects)
        {
            objects++;
            var problem = readContent ? await CheckAsync(store, referenced, part, cancellationToken) : await CheckSizeAsync(store, referenced, part, cancellationToken);
            if (problem is not null)
                problems.Add($"{what}: {problem}");
            else
                bytes += part.StoredSize;
        }
        return (objects, bytes);
    }

    private static async Task<string?> CheckAsync(IBackupStore store, string folder, StoredPart part, CancellationToken cancellationToken)
    {
        var name = folder + part.Name;
        var info = await store.GetInfoAsync(name, cancellationToken);
        if (info is null)
            return $"{part.Name}: missing from {store.Location}";
        if (info.Size != part.StoredSize)
            return $"{part.Name}: {info.Size} bytes stored, the manifest says {part.StoredSize}";

        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            await using var stream = new VerifyingReadStream(await store.OpenReadAsync(name, cancellationToken), part.Name, part.StoredSize, part.Sha256);
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
            return null;
        }
        catch (IntegrityException ex)
        {
            return ex.Message;
        }
        catch (StoreObjectNotFoundException)
        {
            return $"{part.Name}: disappeared from {store.Location} while it was read";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
