// The contract the restore API is written against; the body comes with branch i13-orch.
namespace BackupFunctions.Core.Restores;

/// <summary>
/// A config runs one restore at a time and no backup beside it: a restore claims the config through the same guard row
/// as backups (<see cref="Backups.JobSlotGuard"/>), so a restore and a backup (or two restores) starting together can
/// never both pass; while the restore holds it, backups of the config are refused and scheduled ones skipped with the
/// reason (the restore's own pre-restore backup excepted).
/// </summary>
public sealed class RestoreClaims
{
    /// <summary>Claims the config for <paramref name="restoreJobId"/> before its row is written.</summary>
    /// <returns>Null when claimed; otherwise why not, in words for the API's 409 (which job runs).</returns>
    public Task<string?> TryClaimAsync(string configId, string restoreJobId, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
