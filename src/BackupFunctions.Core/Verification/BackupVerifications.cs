using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Verification;

/// <summary>
/// Verification of catalogued backups on demand or on schedule: which copies, one copy at a time (quick or deep), and
/// the outcome into the backup's row — each copy's last verification, the backup's status, and the alerts.
/// </summary>
public sealed class BackupVerifications(
    BackupCatalog catalog,
    StorageLocations stores,
    QuickVerifier quick,
    DeepVerifier deep,
    BackupCopies copies,
    IKeyEncryptionKey keyEncryptionKey,
    ILogger<BackupVerifications> logger,
    BackupNotifier? notifier = null,
    BackupMetrics? metrics = null)
{
    /// <summary>A copy can be verified when it was made and the row records where (rows of older versions may not).</summary>
    public static bool CanVerify(BackupLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        return location.Status == "ok" && location.Destination is not null;
    }

    /// <summary>
    /// The request with its copies resolved: the ones asked for (or all) that can be verified. Null when the backup
    /// does not exist (any more).
    /// </summary>
    public async Task<VerificationRequest?> PlanAsync(VerificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var record = await catalog.Backups.GetAsync(request.BackupId, cancellationToken);
        if (record is null)
            return null;
        var copiesToVerify = record.Locations
            .Where(l => CanVerify(l) && (request.Copies is null || request.Copies.Contains(l.Index)))
            .Select(l => l.Index)
            .Order()
            .ToList();
        return request with { Copies = copiesToVerify };
    }

    /// <summary>Verifies one copy. Damage is reported in the result; a destination that cannot be reached throws (retry).</summary>
    /// <exception cref="KeyNotFoundException">The backup or the copy does not exist.</exception>
    /// <exception cref="ArgumentException">The level is neither quick nor deep.</exception>
    public async Task<VerificationResult> VerifyCopyAsync(CopyVerificationInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!VerificationRequest.IsLevel(input.Level))
            throw new ArgumentException($"Verification level '{input.Level}' is neither {QuickVerifier.Level} nor {DeepVerifier.Level}.", nameof(input));
        var record = await catalog.Backups.GetAsync(input.BackupId, cancellationToken)
            ?? throw new KeyNotFoundException($"Backup '{input.BackupId}' does not exist.");
        var location = record.Locations.SingleOrDefault(l => l.Index == input.Index);
        if (location is null || !CanVerify(location))
            throw new KeyNotFoundException($"Backup '{input.BackupId}' has no copy {input.Index} that can be verified.");

        var store = await stores.OpenAsync(location.Destination!, cancellationToken);
        var folder = location.ManifestName[..^ObjectNames.Manifest.Length];
        var result = input.Level == DeepVerifier.Level
            ? await deep.VerifyAsync(store, folder, record.Id, keyEncryptionKey,
                allowUnencrypted: EncryptionAlgorithms.IsNone(record.Encryption), cancellationToken)
            : await quick.VerifyAsync(store, folder, record.Checksum, cancellationToken);
        if (result.Ok)
        {
            logger.LogInformation("Backup {BackupId}: copy {Index} at {Location} passed {Level} verification ({Objects} objects, {Bytes} bytes, {Seconds} s)",
                record.Id, input.Index, store.Location, result.Level, result.Objects, result.Bytes, result.Seconds);
        }
        else
        {
            logger.LogError("Backup {BackupId}: copy {Index} at {Location} FAILED {Level} verification: {Problems}",
                record.Id, input.Index, store.Location, result.Level, string.Join("; ", result.Problems));
        }
        return result;
    }

    /// <summary>
    /// Writes the verifications into the backup's row (<see cref="Apply"/>), recomputes its status, raises a critical
    /// verification_failed alert per failed copy and resolves the alert of a copy that passes again.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The backup does not exist.</exception>
    public async Task<BackupRecord> RecordAsync(VerificationUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        var results = update.Copies.ToDictionary(c => c.Index, c => c.Result);
        var updated = await catalog.Backups.UpdateAsync(update.BackupId, record =>
        {
            var locations = record.Locations.Select(l => results.TryGetValue(l.Index, out var r) ? Apply(l, r) : l).ToList();
            // A backup retention is removing stays so: a verification must not make it look whole again.
            return record with { Locations = locations, Status = record.Status == BackupStatuses.Deleting ? record.Status : BackupCopies.StatusOf(locations) };
        }, cancellationToken);

        var verified = updated.Locations.Where(l => results.ContainsKey(l.Index)).ToList();
        var opened = await copies.RaiseAlertsAsync(updated.ConfigId, updated.Id, verified, cancellationToken);
        foreach (var passed in verified.Where(l => l.LastVerification is { Ok: true }))
            await catalog.Alerts.ResolveAsync(AlertTypes.IdFor(AlertTypes.VerificationFailed, updated.ConfigId, updated.Id, passed.Index), cancellationToken);

        // Outside a backup run nobody else tells: a newly failed copy is announced to the config's people here.
        foreach (var alert in opened)
        {
            if (notifier is not null)
                await notifier.NotifyAlertAsync(alert, cancellationToken);
        }
        if (metrics is not null)
        {
            var configName = (await catalog.Configs.GetAsync(updated.ConfigId, cancellationToken))?.Config.Name ?? "";
            foreach (var result in update.Copies)
                metrics.CopyVerified(updated.ConfigId, configName, result.Result.Level, result.Result.Ok);
        }
        return updated;
    }

    /// <summary>
    /// A copy after a verification: it becomes the copy's last verification, and a deep one also sets
    /// <see cref="BackupLocation.LastDeepVerifiedAt"/> (passed or not: the schedule then moves on to other copies).
    /// A passing quick verification does not clear a failed deep one: quick cannot see what deep found (a dump that
    /// does not parse, a key that no longer unwraps), so that failure stays until a deep verification passes.
    /// </summary>
    public static BackupLocation Apply(BackupLocation location, VerificationResult result)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Ok && result.Level == QuickVerifier.Level && location.LastVerification is { Ok: false, Level: DeepVerifier.Level })
            return location;
        return location with
        {
            LastVerification = result,
            LastDeepVerifiedAt = result.Level == DeepVerifier.Level ? result.VerifiedAt : location.LastDeepVerifiedAt,
        };
    }
}
