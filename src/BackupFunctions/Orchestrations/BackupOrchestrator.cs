using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// One backup (DESIGN §2): start job → prepare key → dump database ∥ archive files → manifest (commit) →
/// verify the primary ∥ (replicate → verify) per replica → record.
/// Deterministic: no I/O, no clock, no random here; activities do the work. Only the wrapped key passes through.
/// </summary>
public static class BackupOrchestrator
{
    /// <summary>Failures that retrying cannot fix: bad config, tampered data, a missing folder.</summary>
    private static readonly HashSet<string> PermanentErrors =
    [
        typeof(InvalidOperationException).FullName!,
        typeof(ArgumentException).FullName!,
        typeof(ArgumentOutOfRangeException).FullName!,
        typeof(NotSupportedException).FullName!,
        typeof(DirectoryNotFoundException).FullName!,
        typeof(KeyNotFoundException).FullName!,
        typeof(Core.Format.IntegrityException).FullName!,
        typeof(Core.Storage.StoreException).FullName!,
        typeof(Core.Storage.StoreObjectNotFoundException).FullName!,
    ];

    internal static readonly TaskOptions Retried = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3,
        firstRetryInterval: TimeSpan.FromSeconds(2),
        backoffCoefficient: 2.0,
        maxRetryInterval: TimeSpan.FromSeconds(30))
    {
        HandleFailure = failure => !PermanentErrors.Contains(failure.ErrorType),
    });

    [Function(FunctionNames.BackupOrchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<BackupRequest>()
            ?? throw new InvalidOperationException("The backup orchestration needs a BackupRequest input.");
        BackupPlan? plan = null;
        try
        {
            plan = await context.CallActivityAsync<BackupPlan>(FunctionNames.StartJob, request, Retried);
            var key = await context.CallActivityAsync<PreparedKey?>(FunctionNames.PrepareKey, plan, Retried);

            var input = new PartInput(plan, key);
            var database = plan.Config.Database is null
                ? Task.FromResult<DatabasePartResult?>(null)
                : context.CallActivityAsync<DatabasePartResult?>(FunctionNames.DumpDatabase, input, Retried);
            var files = plan.Config.Files is null
                ? Task.FromResult<FilesPartResult?>(null)
                : context.CallActivityAsync<FilesPartResult?>(FunctionNames.ArchiveFiles, input, Retried);
            await Task.WhenAll(database, files);

            var manifest = await context.CallActivityAsync<ManifestResult>(
                FunctionNames.WriteManifest, new ManifestInput(plan, key, await database, await files), Retried);
            var copies = await Task.WhenAll(Enumerable.Range(0, plan.Config.Replicas.Count + 1)
                .Select(index => CopyAsync(context, plan, index, manifest.Sha256)));
            var record = await context.CallActivityAsync<BackupRecord>(
                FunctionNames.RecordBackup, new RecordInput(plan, manifest, copies), Retried);
            // --- retention (issue 5): applied after each backup when autoCleanup is on; never fails the backup ---
            if (plan.Config.Retention?.AutoCleanup == true)
            {
                try
                {
                    await context.CallActivityAsync<RetentionReport?>(FunctionNames.ApplyRetention, new RetentionRequest(plan.ConfigId, plan.JobId), Retried);
                }
                catch (TaskFailedException)
                {
                    // The activity writes retention failures into the job's warnings; getting here means even that failed.
                }
            }
            // --- end retention ---
            await NotifyAsync(context, request.JobId);
            return record.Id;
        }
        catch (TaskFailedException e)
        {
            await context.CallActivityAsync(FunctionNames.FailJob, new FailureInput(request.JobId, Describe(e), plan), Retried);
            await NotifyAsync(context, request.JobId);
            throw;
        }
    }

    /// <summary>
    /// Copy <paramref name="index"/> of a committed backup: the primary (0) is verified; a replica is copied from the
    /// primary, then verified. A failure here never fails the backup: it becomes the copy's outcome (a warning).
    /// </summary>
    internal static async Task<CopyOutcome> CopyAsync(TaskOrchestrationContext context, BackupPlan plan, int index, string manifestSha256)
    {
        if (index > 0)
        {
            try
            {
                await context.CallActivityAsync<ReplicationResult>(FunctionNames.ReplicateBackup, new ReplicaInput(plan, index), Retried);
            }
            catch (TaskFailedException e)
            {
                try
                {
                    await context.CallActivityAsync(FunctionNames.RemoveCopy, new ReplicaInput(plan, index), Retried);
                }
                catch (TaskFailedException)
                {
                    // The destination is down: what is left there has no manifest, so it is never taken for a backup.
                }
                return new CopyOutcome(index, Describe(e), null);
            }
        }
        try
        {
            var verification = await context.CallActivityAsync<VerificationResult>(
                FunctionNames.VerifyCopy, new VerifyInput(plan, index, manifestSha256), Retried);
            return new CopyOutcome(index, null, verification);
        }
        catch (TaskFailedException e)
        {
            // Could not even read the copy back: that is a failed verification.
            return new CopyOutcome(index, null, new VerificationResult(
                QuickVerifier.Level, false, 0, 0, [Describe(e)], context.CurrentUtcDateTime, 0));
        }
    }

    // --- notifications: the last step of both paths ---

    /// <summary>
    /// Tells the config's people how the job ended. Not retried by Durable (the senders retry themselves, and a second
    /// run would send twice); a failure here is logged by the activity and never fails or changes the backup.
    /// </summary>
    private static async Task NotifyAsync(TaskOrchestrationContext context, string jobId)
    {
        try
        {
            await context.CallActivityAsync<Core.Notifications.NotificationResult>(FunctionNames.Notify, jobId);
        }
        catch (TaskFailedException)
        {
            // The notifier reports failed deliveries in its result; reaching here means the activity itself broke.
        }
    }

    // --- end of notifications ---

    /// <summary>The activity's own error message (the engine words it for users), prefixed by the step that failed.</summary>
    private static string Describe(TaskFailedException e) => $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
}
