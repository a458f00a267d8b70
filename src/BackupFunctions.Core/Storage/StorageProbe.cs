using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// A connection test of a destination: writes a small random object, reads it back and compares, finds it in a
/// listing and deletes it, stopping at the first step that fails and telling why (<see cref="StoreFailureKind"/>).
/// </summary>
/// <remarks>
/// A failed step's <see cref="StorageProbeStep.Error"/> is our own advice for its kind (what to check), never what the
/// destination answered: an API caller picks the destination, and must not be able to use the test to read what a
/// server (an internal one, say) sends back. What it answered goes to the log, with the exception.
/// </remarks>
public sealed partial class StorageProbe(TimeProvider time, ILogger<StorageProbe>? logger = null)
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
                    : throw new ProbeFailedException($"The probe object '{name}' is still there after its delete.");
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
            : throw new ProbeFailedException($"The probe object read back from {store.Location} differs from what was written.");
    }

    private static async Task<bool> ListsAsync(IBackupStore store, string name, long size, CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(ProbeFolder + "/", cancellationToken))
        {
            if (info.Name == name)
                return info.Size == size ? true : throw new ProbeFailedException($"The probe object is listed with {info.Size} bytes instead of {size}.");
        }
        throw new ProbeFailedException($"The probe object was written but a listing of {store.Location} does not show it.");
    }

    private async Task<T?> StepAsync<T>(List<StorageProbeStep> steps, string step, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
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
            if (logger is not null)
                LogStepFailed(logger, ex, step, kind);
            steps.Add(new StorageProbeStep(step, false, Stopwatch.GetElapsedTime(started).TotalMilliseconds, kind, Advice(step, kind, ex)));
            return default;
        }
    }

    /// <summary>What to check after <paramref name="step"/> failed with <paramref name="kind"/>: our words only.</summary>
    internal static string Advice(string step, StoreFailureKind kind, Exception exception) => (step, kind) switch
    {
        // Opening a store sends nothing anywhere: its failures are our own checks of the settings and secrets.
        ("configure", _) when exception is not StoreException => exception.Message,
        // The probe's own findings (read back differs, not listed, still there after the delete).
        (_, _) when exception is ProbeFailedException => exception.Message,
        (_, StoreFailureKind.NotAllowed) => "The service may not connect to this destination's address: link-local and cloud metadata addresses never, "
            + "loopback and private ones only inside the Network__AllowedRanges setting. Nothing was sent.",
        (_, StoreFailureKind.Authentication) => "The destination refused the credentials: check the user or access key and its secret (password, secret key, private key and passphrase).",
        (_, StoreFailureKind.Permission) => $"The destination refused the {step}: check the account's rights on the bucket or folder, and that the pinned host key or certificate fingerprint is the server's.",
        (_, StoreFailureKind.Network) => "The destination could not be reached or the connection broke: check the host or endpoint, the port, firewalls, and that the server is running.",
        (_, StoreFailureKind.Throttled) => "The destination asked to slow down: test again later.",
        (_, StoreFailureKind.ContainerNotFound) => "The bucket, container or base folder does not exist (it is not created for you): check its name.",
        (_, StoreFailureKind.ObjectNotFound) => "The probe object just written could not be found again: the destination does not keep what it is sent.",
        (_, StoreFailureKind.Full) => "The destination is full: its maxSizeBytes, a quota, or its disk.",
        (_, StoreFailureKind.Locked) => "The probe object is locked against deletion: the bucket applies a default retention; remove the probe object when its lock ends.",
        _ => $"The {step} step failed: the service's log has what the destination answered.",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage test step {Step} failed ({FailureKind})")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string step, StoreFailureKind failureKind);

    /// <summary>A finding of the probe itself, in our words.</summary>
    private sealed class ProbeFailedException(string message) : StoreException(message);
}
