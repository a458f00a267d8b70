using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// A config runs one restore at a time and no backup beside it: a restore claims the config through the same guard row
/// as backups (<see cref="Backups.JobSlotGuard"/>), so a restore and a backup (or two restores) starting together can
/// never both pass; while the restore holds it, backups of the config are refused and scheduled ones skipped with the
/// reason (the restore's own pre-restore backup excepted).
/// </summary>
/// <param name="instances">
/// Tells whether an orchestration exists (a pending job row without one for a while is a start that died and holds
/// nothing); backup and restore instances share one id space, so the restore starter answers for both. Without it
/// (the engine's composition, where no Durable client exists) every pending row counts until it runs or the watchdog
/// fails it: a start that died delays restores of its config, it never lets two runs overlap.
/// </param>
public sealed class RestoreClaims(BackupCatalog catalog, TimeProvider time, IRestoreStarter? instances = null)
{
    private readonly JobSlotGuard _guard = new(catalog, time);

    private static Task<bool> AssumeExists(string instanceId, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Claims the config for <paramref name="restoreJobId"/> before its row is written.</summary>
    /// <returns>Null when claimed; otherwise why not, in words for the API's 409 (which job runs).</returns>
    public async Task<string?> TryClaimAsync(string configId, string restoreJobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        ArgumentNullException.ThrowIfNull(restoreJobId);
        var (claimed, backups, restore) = await _guard.TryClaimRestoreAsync(
            configId, restoreJobId, instances is null ? AssumeExists : instances.ExistsAsync, cancellationToken);
        if (claimed)
            return null;
        if (restore is not null)
            return $"Another restore of config {configId} is running ({restore}); start this one when it has finished.";
        return backups.Count switch
        {
            0 => $"Config {configId} is busy; try again.",
            1 => $"A backup of config {configId} is running ({backups[0]}); start the restore when it has finished.",
            _ => $"{backups.Count} backups of config {configId} are running ({string.Join(", ", backups)}); start the restore when they have finished.",
        };
    }
}
