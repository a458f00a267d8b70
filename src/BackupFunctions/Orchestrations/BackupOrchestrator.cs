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
/// One backup (docs/design.md, 'The data flow of a backup'): start job → prepare key → dump database ∥ (plan files →
/// volumes, a bounded fan-out → join the index) →
/// manifest (commit) → verify the primary ∥ (replicate → verify) per replica → record.
/// Deterministic: no I/O, no clock, no random here; activities do the work. Only the wrapped key passes through.
/// </summary>
/// <remarks>
/// Cancel (<c>POST /api/backup-jobs/{id}/cancel</c>) sets the job row's flag and raises <see cref="CancelEvent"/>. Each step
/// up to the copies races the event; when the event wins, the step in flight gets <see cref="StopGrace"/> to notice the
/// flag (its watch reads the row every progress interval) and stop, then FailJob removes every copy and marks the job
/// cancelled. RecordBackup is never raced: once it runs, the backup is kept and a late cancel changes nothing.
/// </remarks>
public static class BackupOrchestrator
{
    /// <summary>The external event that asks a running backup to stop.</summary>
    public const string CancelEvent = "cancel";

    /// <summary>How long a cancelled step may take to stop before the cleanup runs anyway.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromMinutes(2);

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
        typeof(JobCancelledException).FullName!,
        typeof(Core.Network.NetworkRefusedException).FullName!,
    ];

    internal static readonly TaskOptions Retried = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3,
        firstRetryInterval: TimeSpan.FromSeconds(2),
        backoffCoefficient: 2.0,
        maxRetryInterval: TimeSpan.FromSeconds(30))
    {
        HandleFailure = failure => !PermanentErrors.Contains(failure.ErrorType),
    });

    /// <returns>The backup's id; null when the job was cancelled.</returns>
    [Function(FunctionNames.BackupOrchestrator)]
    public static async Task<string?> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<BackupRequest>()
            ?? throw new InvalidOperationException("The backup orchestration needs a BackupRequest input.");
        var cancel = context.WaitForExternalEvent<string?>(CancelEvent);
        BackupPlan? plan = null;
        try
        {
            plan = await StepAsync(context, cancel, () => context.CallActivityAsync<BackupPlan>(FunctionNames.StartJob, request, Retried));
            var key = await StepAsync(context, cancel, () => context.CallActivityAsync<PreparedKey?>(FunctionNames.PrepareKey, plan, Retried));

            var input = new PartInput(plan, key);
            var (database, files) = await StepAsync(context, cancel, async () =>
            {
                var db = plan.Config.Database is null
                    ? Task.FromResult<DatabasePartResult?>(null)
                    : context.CallActivityAsync<DatabasePartResult?>(FunctionNames.DumpDatabase, input, Retried);
                var fl = plan.Config.Files is null
                    ? Task.FromResult<FilesPartResult?>(null)
                    : ArchiveFilesAsync(context, input);
                await Task.WhenAll(db, fl);
                return (await db, await fl);
            });

            var manifest = await StepAsync(context, cancel, () => context.CallActivityAsync<ManifestResult>(
                FunctionNames.WriteManifest, new ManifestInput(plan, key, database, files), Retried));
            var copies = await StepAsync(context, cancel, () => Task.WhenAll(Enumerable.Range(0, plan.Config.Replicas.Count + 1)
                .Select(index => CopyAsync(context, plan, index, manifest.Sha256))));
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
        catch (Exception e) when (e is CancelRequestedException || (e is TaskFailedException failed && IsCancelled(failed)))
        {
            // Same cleanup as a failure (every copy, manifest first); the job ends cancelled, the orchestration completes.
            await context.CallActivityAsync(FunctionNames.FailJob,
                new FailureInput(request.JobId, JobCancellation.Reason, plan) { Cancelled = true }, Retried);
            await NotifyAsync(context, request.JobId);
            return null;
        }
        catch (TaskFailedException e)
        {
            await context.CallActivityAsync(FunctionNames.FailJob, new FailureInput(request.JobId, Describe(e), plan), Retried);
            await NotifyAsync(context, request.JobId);
            throw;
        }
    }

    /// <summary>
    /// The files: PlanBackup stores the plan in the destination and returns the volume count; one ArchiveVolume per
    /// volume, at most <see cref="VolumePlanResult.MaxParallelVolumes"/> at once; then AssembleIndex joins their index
    /// entries. Each volume is its own activity, so after a crash Durable replays the finished ones from history and
    /// only the rest run again.
    /// </summary>
    internal static async Task<FilesPartResult?> ArchiveFilesAsync(TaskOrchestrationContext context, PartInput input)
    {
        var planned = await context.CallActivityAsync<VolumePlanResult>(FunctionNames.PlanBackup, input, Retried);
        var written = new List<VolumeResult>(planned.Volumes);
        var running = new List<Task<VolumeResult>>();
        try
        {
            for (var number = 1; number <= planned.Volumes; number++)
            {
                if (running.Count >= Math.Max(planned.MaxParallelVolumes, 1))
                {
                    var done = await Task.WhenAny(running);
                    running.Remove(done);
                    written.Add(await done);
                }
                running.Add(context.CallActivityAsync<VolumeResult>(
                    FunctionNames.ArchiveVolume, new VolumeInput(input.Plan, input.Key, planned.Plan, number)
                    {
                        Uncompressed = planned.SeparateVolumes.Contains(number),
                    }, Retried));
            }
            written.AddRange(await Task.WhenAll(running));
        }
        catch (TaskFailedException)
        {
            // The other volumes in flight finish (or fail) first, so none is still writing when the cleanup runs.
            try
            {
                await Task.WhenAll(running);
            }
            catch (TaskFailedException)
            {
            }
            throw;
        }
        return await context.CallActivityAsync<FilesPartResult>(
            FunctionNames.AssembleIndex, new IndexInput(input.Plan, input.Key, planned, written), Retried);
    }

    /// <summary>
    /// Runs one step unless the cancel event has come; if it comes while the step runs, waits (with a durable timer) up
    /// to <see cref="StopGrace"/> for the step to stop, so no step is still writing when the cleanup starts.
    /// </summary>
    internal static async Task<T> StepAsync<T>(TaskOrchestrationContext context, Task cancel, Func<Task<T>> start)
    {
        if (cancel.IsCompleted)
            throw new CancelRequestedException();
        var step = start();
        if (await Task.WhenAny(step, cancel) == step)
            return await step;
        using var stopGrace = new CancellationTokenSource();
        var timer = context.CreateTimer(context.CurrentUtcDateTime + StopGrace, stopGrace.Token);
        await Task.WhenAny(step, timer);
        // Synchronous on purpose: CancelAsync would run the timer's callbacks off the orchestration's thread.
        stopGrace.Cancel();
        throw new CancelRequestedException();
    }

    internal static bool IsCancelled(TaskFailedException e) => e.FailureDetails.ErrorType == typeof(JobCancelledException).FullName;

    /// <summary>The cancel event won the race with a step (never leaves the orchestrator).</summary>
    internal sealed class CancelRequestedException : Exception
    {
    }

    /// <summary>
    /// Copy <paramref name="index"/> of a committed backup: the primary (0) is verified; a replica is copied from the
    /// primary, then verified. A failure here never fails the backup: it becomes the copy's outcome (a warning).
    /// </summary>
    internal static async Task<CopyOutcome> CopyAsync(TaskOrchestrationContext context, BackupPlan plan, int index, string manifestSha256)
    {
        if (plan.SkipReason(index) is { } skipped)
            return new CopyOutcome(index, skipped, null);
        if (index > 0)
        {
            try
            {
                await context.CallActivityAsync<ReplicationResult>(FunctionNames.ReplicateBackup, new ReplicaInput(plan, index), Retried);
            }
            catch (TaskFailedException e) when (!IsCancelled(e))
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
        // verification: false (the seed's word) leaves the copy unchecked: its record says so (no verification).
        if (!plan.Config.Verification)
            return new CopyOutcome(index, null, null);
        try
        {
            var verification = await context.CallActivityAsync<VerificationResult>(
                FunctionNames.VerifyCopy, new VerifyInput(plan, index, manifestSha256), Retried);
            return new CopyOutcome(index, null, verification);
        }
        catch (TaskFailedException e) when (!IsCancelled(e))
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
    internal static string Describe(TaskFailedException e) => $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
}
