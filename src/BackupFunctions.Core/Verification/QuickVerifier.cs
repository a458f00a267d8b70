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
/// catalog recorded. Needs no key, so a wrap-only identity can run it.
/// </summary>
public sealed class QuickVerifier(TimeProvider time)
{
    public const string Level = "quick";

    /// <param name="manifestSha256">The SHA-256 (hex) of the manifest as written; null to skip that check.</param>
    public async Task<VerificationResult> VerifyAsync(IBackupStore store, string folder, string? manifestSha256, CancellationToken cancellationToken)
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
        return new VerificationResult(Level, problems.Count == 0, objects, bytes, problems, time.GetUtcNow(),
            Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3));
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
