using System.Diagnostics;
using System.Security.Cryptography;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// A connection test of a destination: writes a small random object, reads it back and compares, finds it in a
/// listing and deletes it, stopping at the first step that fails and telling why (<see cref="StoreFailureKind"/>).
/// </summary>
public sealed class StorageProbe(TimeProvider time)
{
    /// <summary>Where probe objects go (under the location's root); backups never use this name.</summary>
    public const string ProbeFolder = "backupfunctions-probe";

    private const int ProbeSize = 64 * 1024;

    /// <param name="open">Creates the store; its failures (a missing secret, a bad setting) are the "configure" step.</param>
    public async Task<StorageProbeResult> RunAsync(Func<CancellationToken, Task<IBackupStore>> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var steps = new List<StorageProbeStep>();
        var content = RandomNumberGenerator.GetBytes(ProbeSize);
        var name = $"{ProbeFolder}/{RandomNumberGenerator.GetHexString(16, lowercase: true)}";
        IBackupStore? store = null;
        var written = false;
        try
        {
            store = await StepAsync(steps, "configure", open, cancellationToken);
            if (store is null)
                return Finish(steps);
            written = await StepAsync(steps, "write", async ct =>
            {
                await store.PutAsync(name, new MemoryStream(content, writable: false), ct);
                return true;
            }, cancellationToken);
            if (!written)
                return Finish(steps);
            if (!await StepAsync(steps, "read", async ct => await ReadsBackAsync(store, name, content, ct), cancellationToken))
                return Finish(steps);
            if (!await StepAsync(steps, "list", async ct => await ListsAsync(store, name, content.Length, ct), cancellationToken))
                return Finish(steps);
            written = !await StepAsync(steps, "delete", async ct =>
            {
                await store.DeleteAsync(name, ct);
                return await store.GetInfoAsync(name, ct) is null
                    ? true
                    : throw new StoreException($"The probe object '{name}' is still there after its delete.");
            }, cancellationToken);
            return Finish(steps);
        }
        finally
        {
            // A probe that failed after writing must not leave its object behind.
            if (written && store is not null)
            {
                try { await store.DeleteAsync(name, CancellationToken.None); }
                catch (StoreException) { }
            }
        }
    }

    private StorageProbeResult Finish(List<StorageProbeStep> steps) => new(steps.All(s => s.Ok), time.GetUtcNow(), steps);

    private static async Task<bool> ReadsBackAsync(IBackupStore store, string name, byte[] expected, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(name, cancellationToken);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(expected))
            ? true
            : throw new StoreException($"The probe object read back from {store.Location} differs from what was written.");
    }

    private static async Task<bool> ListsAsync(IBackupStore store, string name, long size, CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(ProbeFolder + "/", cancellationToken))
        {
            if (info.Name == name)
                return info.Size == size ? true : throw new StoreException($"The probe object is listed with {info.Size} bytes instead of {size}.");
        }
        throw new StoreException($"The probe object was written but a listing of {store.Location} does not show it.");
    }

    private static async Task<T?> StepAsync<T>(List<StorageProbeStep> steps, string step, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await run(cancellationToken);
            steps.Add(new StorageProbeStep(step, true, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            return result;
        }
        catch (Exception ex) when (ex is StoreException or ArgumentException or InvalidOperationException or IOException or TimeoutException)
        {
            var kind = ex is StoreException store ? store.Kind : StoreFailureKind.Other;
            steps.Add(new StorageProbeStep(step, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, kind, ex.Message));
            return default;
        }
    }
}
