using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// One restore job (docs/design.md, 'Restore'): start (targets checked) → pre-restore backup (the backup orchestration
/// as a sub-orchestration, unless disabled) → prove every part → stage the files → swap them in → restore the database
/// → verify (unless skipVerification) → complete. Any failure or cancel after the swap began rolls back: the set-aside
/// folders are put back and a committed database is restored from the pre-restore backup. Deterministic: no I/O, no
/// clock, no random here; activities do the work, and the plan passed between them holds no secret.
/// </summary>
/// <remarks>
/// Cancel (<c>POST /api/restore-jobs/{id}/cancel</c>) sets the row's flag and raises <see cref="CancelEvent"/>. Every
/// step up to the verification races the event as backups do (<see cref="BackupOrchestrator.StepAsync{T}"/>); the
/// step in flight sees the flag through its own watch and stops. Before the swap nothing live changed (staging is
/// removed, the job ends cancelled); after it, the restore rolls back. Without a pre-restore backup nothing can put a
/// committed database back, so the database step is not raced then (its watch stops it only before the commit), and
/// once it returned a cancel is too late: the restore completes and its log says so.
/// </remarks>
public static class RestoreOrchestrator
{
    /// <summary>The external event that asks a running restore to stop.</summary>
    public const string CancelEvent = BackupOrchestrator.CancelEvent;

    /// <returns>The job's final status word.</returns>
    [Function(FunctionNames.RestoreOrchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<RestoreJobRequest>()
            ?? throw new InvalidOperationException("The restore orchestration needs a RestoreJobRequest input.");
        var cancel = context.WaitForExternalEvent<string?>(CancelEvent);
        var run = new RunState();
        try
        {
            var plan = run.Plan = await BackupOrchestrator.StepAsync(context, cancel,
                () => context.CallActivityAsync<RestoreJobPlan>(FunctionNames.StartRestore, request, BackupOrchestrator.Retried));
            if (plan.TakePreRestoreBackup)
                plan = run.Plan = await PreRestoreBackupAsync(context, cancel, plan);

            var proof = await BackupOrchestrator.StepAsync(context, cancel,
                () => context.CallActivityAsync<InPlaceRestoreProof>(FunctionNames.ProveRestore, plan, BackupOrchestrator.Retried));
            if (proof.Files)
            {
                run.Staged = true;
                run.Files = await BackupOrchestrator.StepAsync(context, cancel,
                    () => context.CallActivityAsync<InPlaceRestoreCounts?>(FunctionNames.StageRestoreFiles, plan, BackupOrchestrator.Retried));
                run.Swapped = true;
                await BackupOrchestrator.StepAsync(context, cancel, async () =>
                {
                    await context.CallActivityAsync(FunctionNames.SwapRestoreFiles, plan, BackupOrchestrator.Retried);
                    return true;
                });
            }

            if (proof.Database)
            {
                var database = run.Database = context.CallActivityAsync<RestoreDatabaseOutcome>(FunctionNames.RestoreDatabase, plan, BackupOrchestrator.Retried);
                var outcome = plan.PreRestoreBackupId is null ? await database : await BackupOrchestrator.StepAsync(context, cancel, () => database);
                run.Tables = outcome.Tables;
                if (outcome.Problem is { } problem)
                    throw new RestoreProblemException($"{FunctionNames.RestoreDatabase} failed: {problem}");
            }

            // Without a pre-restore backup, a restored database is final: no later step stops for a cancel.
            var stoppable = !proof.Database || plan.PreRestoreBackupId is not null;
            if (proof.Files && !plan.SkipVerification)
            {
                var input = new RestoreStepInput(plan, proof.Database);
                var verified = stoppable
                    ? await BackupOrchestrator.StepAsync(context, cancel,
                        () => context.CallActivityAsync<InPlaceRestoreCounts?>(FunctionNames.VerifyRestore, input, BackupOrchestrator.Retried))
                    : await context.CallActivityAsync<InPlaceRestoreCounts?>(FunctionNames.VerifyRestore, input, BackupOrchestrator.Retried);
                run.Files = verified ?? run.Files;
            }
            if (stoppable && cancel.IsCompleted)
                throw new BackupOrchestrator.CancelRequestedException();

            // Never raced: from here on the restore only goes forward.
            var job = await context.CallActivityAsync<RestoreJob>(FunctionNames.CompleteRestore,
                new RestoreFinishInput(plan, run.Files, run.Tables), BackupOrchestrator.Retried);
            await NotifyAsync(context, request.RestoreJobId);
            return RestoreJobStatusWords.Of(job.Status);
        }
        catch (Exception e) when (e is BackupOrchestrator.CancelRequestedException or TaskFailedException or RestoreProblemException)
        {
            var cancelled = e is BackupOrchestrator.CancelRequestedException
                || (e is TaskFailedException failed && BackupOrchestrator.IsCancelled(failed));
            var error = cancelled ? JobCancellation.Reason
                : e is TaskFailedException taskFailed ? BackupOrchestrator.Describe(taskFailed)
                : e.Message;
            var job = await RollBackAsync(context, request.RestoreJobId, run, error, cancelled);
            await NotifyAsync(context, request.RestoreJobId);
            return RestoreJobStatusWords.Of(job.Status);
        }
    }

    /// <summary>
    /// The pre-restore backup: its job row, then the backup orchestration as a sub-orchestration (instance id = its job
    /// id), then its backup recorded on the restore job. It failing fails the restore with nothing touched. A cancel
    /// while it runs cancels it too (its own cleanup removes what it wrote).
    /// </summary>
    private static async Task<RestoreJobPlan> PreRestoreBackupAsync(TaskOrchestrationContext context, Task cancel, RestoreJobPlan plan)
    {
        var request = await BackupOrchestrator.StepAsync(context, cancel,
            () => context.CallActivityAsync<BackupRequest>(FunctionNames.PreparePreRestoreBackup, plan, BackupOrchestrator.Retried));
        var backup = context.CallSubOrchestratorAsync<string?>(FunctionNames.BackupOrchestrator, request, new TaskOptions().WithInstanceId(request.JobId));
        if (await Task.WhenAny(backup, cancel) != backup)
        {
            await context.CallActivityAsync(FunctionNames.CancelPreRestoreBackup, request.JobId, BackupOrchestrator.Retried);
            context.SendEvent(request.JobId, BackupOrchestrator.CancelEvent, JobCancellation.Reason);
            try
            {
                await backup;
            }
            catch (TaskFailedException)
            {
                // It ended either way; the restore ends cancelled with nothing touched.
            }
            throw new BackupOrchestrator.CancelRequestedException();
        }

        string? backupId;
        try
        {
            backupId = await backup;
        }
        catch (TaskFailedException)
        {
            // RecordPreRestoreBackup words the failure from the backup job's row (its status and error).
            backupId = null;
        }
        return await BackupOrchestrator.StepAsync(context, cancel, () => context.CallActivityAsync<RestoreJobPlan>(
            FunctionNames.RecordPreRestoreBackup, new PreRestoreBackupInput(plan, request.JobId, backupId), BackupOrchestrator.Retried));
    }

    /// <summary>
    /// Puts back what the run changed (files: the staging goes in any case, the set-aside folders come back once the
    /// swap began; the database: from the pre-restore backup when its restore may have committed), then ends the job
    /// with what was and was not put back.
    /// </summary>
    private static async Task<RestoreJob> RollBackAsync(TaskOrchestrationContext context, string jobId, RunState run, string error, bool cancelled)
    {
        var plan = run.Plan;
        // A database step that failed committed nothing (one transaction); one that returned, or is still running
        // after the stop grace, may have.
        var databaseChanged = run.Database is { IsFaulted: false };
        var errors = new List<string>();
        var filesRolledBack = false;
        var databaseRolledBack = false;
        if (plan is not null && run.Staged)
        {
            try
            {
                await context.CallActivityAsync(FunctionNames.RollbackRestoreFiles, plan, BackupOrchestrator.Retried);
                filesRolledBack = run.Swapped;
            }
            catch (TaskFailedException e)
            {
                errors.Add(BackupOrchestrator.Describe(e));
            }
        }
        if (plan is not null && databaseChanged)
        {
            if (plan.PreRestoreBackupId is null)
            {
                errors.Add("there is no pre-restore backup to put the database back from");
            }
            else
            {
                try
                {
                    await context.CallActivityAsync<IReadOnlyList<TableRowCount>>(FunctionNames.RollbackRestoreDatabase, plan, BackupOrchestrator.Retried);
                    databaseRolledBack = true;
                }
                catch (TaskFailedException e)
                {
                    errors.Add(BackupOrchestrator.Describe(e));
                }
            }
        }
        return await context.CallActivityAsync<RestoreJob>(FunctionNames.FailRestore, new RestoreFailureInput(jobId, error, plan)
        {
            Cancelled = cancelled,
            FilesSwapped = run.Swapped,
            DatabaseChanged = databaseChanged,
            FilesRolledBack = filesRolledBack,
            DatabaseRolledBack = databaseRolledBack,
            RollbackErrors = errors,
            Files = run.Files,
            Tables = run.Tables,
        }, BackupOrchestrator.Retried);
    }

    /// <summary>Not retried by Durable (a second run would send twice); a failure here never changes the restore.</summary>
    private static async Task NotifyAsync(TaskOrchestrationContext context, string jobId)
    {
        try
        {
            await context.CallActivityAsync<Core.Notifications.NotificationResult>(FunctionNames.NotifyRestore, jobId);
        }
        catch (TaskFailedException)
        {
            // The notifier reports failed deliveries in its result; reaching here means the activity itself broke.
        }
    }

    /// <summary>How far the run got: what the rollback has to undo.</summary>
    private sealed class RunState
    {
        public RestoreJobPlan? Plan { get; set; }

        /// <summary>Staging began: the rollback removes it.</summary>
        public bool Staged { get; set; }

        /// <summary>The swap began: the live components have to be put back.</summary>
        public bool Swapped { get; set; }

        /// <summary>The database step, once started.</summary>
        public Task<RestoreDatabaseOutcome>? Database { get; set; }

        public InPlaceRestoreCounts? Files { get; set; }

        public IReadOnlyList<TableRowCount>? Tables { get; set; }
    }

    /// <summary>The database restore committed but does not match the backup (never leaves the orchestrator).</summary>
    private sealed class RestoreProblemException(string message) : Exception(message)
    {
    }
}
