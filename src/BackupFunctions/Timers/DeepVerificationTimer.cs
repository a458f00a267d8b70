using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Verification;
using BackupFunctions.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Timers;

/// <summary>
/// Scheduled deep verification: on each occurrence of <c>Verification:DeepSchedule</c> (checked every minute, so the
/// schedule is an ordinary setting with a default), the <c>Verification:DeepPerRun</c> copies least recently
/// deep-verified (<see cref="DeepVerificationPicker"/>) get a verification orchestration, one per backup.
/// </summary>
public sealed class DeepVerificationTimer(
    BackupCatalog catalog,
    IOptions<VerificationOptions> options,
    TimeProvider time,
    ILogger<DeepVerificationTimer> logger)
{
    [Function(FunctionNames.ScheduledDeepVerification)]
    public async Task Run(
        [TimerTrigger("0 * * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!options.Value.IsDeepRunDue(now))
            return;
        await StartDueAsync(client, now, cancellationToken);
    }

    /// <summary>Picks the copies and starts their verifications; returns the ones started.</summary>
    public async Task<IReadOnlyList<VerificationTarget>> StartDueAsync(DurableTaskClient client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var backups = new List<BackupRecord>();
        await foreach (var backup in catalog.Backups.AllAsync(cancellationToken))
            backups.Add(backup);
        var started = new List<VerificationTarget>();
        foreach (var copies in DeepVerificationPicker.Pick(backups, now, options.Value.DeepPerRun).GroupBy(t => t.BackupId))
        {
            var request = new VerificationRequest(copies.Key, DeepVerifier.Level, [.. copies.Select(t => t.Index)]);
            if (await DurableVerificationStarter.TryStartAsync(client, request, cancellationToken))
                started.AddRange(copies);
            else
                logger.LogInformation("Backup {BackupId}: a verification is still running; the scheduled deep verification skips it", copies.Key);
        }
        logger.LogInformation("Scheduled deep verification of {Count} copies: {Copies}",
            started.Count, string.Join(", ", started.Select(t => $"{t.BackupId}#{t.Index}")));
        return started;
    }
}
