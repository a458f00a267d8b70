using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores.Drills;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// One restore drill (instance id = drill id): pick the backup → restore it into the scratch targets → run the checks →
/// clean up → record. Cleanup runs whatever happened before it (a failed step, a cancel): the scratch database and
/// folder never outlive the drill. Deterministic: all work is in activities.
/// </summary>
/// <remarks>
/// The <see cref="CancelEvent"/> stops the drill between steps. A step in flight is waited for rather than abandoned,
/// so the cleanup never races a restore still writing into the scratch targets.
/// </remarks>
public static class RestoreDrillOrchestrator
{
    public const string CancelEvent = "cancel";

    /// <returns>The drill's final status.</returns>
    [Function(FunctionNames.RestoreDrillOrchestrator)]
    public static async Task<string> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var drillId = context.GetInput<string>()
            ?? throw new InvalidOperationException("The restore drill orchestration needs the drill id as input.");
        var cancel = context.WaitForExternalEvent<string?>(CancelEvent);
        DrillPlan? plan = null;
        DrillRestored? restored = null;
        IReadOnlyList<DrillCheckOutcome>? checks = null;
        DrillCleanup? cleanup = null;
        string? error = null;
        var cancelled = false;
        try
        {
            plan = await StepAsync(cancel, () => context.CallActivityAsync<DrillPlan>(FunctionNames.StartRestoreDrill, drillId, BackupOrchestrator.Retried));
            var planned = plan;
            restored = await StepAsync(cancel, () => context.CallActivityAsync<DrillRestored>(FunctionNames.RestoreDrillScratch, planned, BackupOrchestrator.Retried));
            checks = await StepAsync(cancel, () => context.CallActivityAsync<IReadOnlyList<DrillCheckOutcome>>(FunctionNames.RunDrillChecks, planned, BackupOrchestrator.Retried));
        }
        catch (CancelRequestedException)
        {
            cancelled = true;
            error = "Cancelled on request.";
        }
        catch (TaskFailedException e)
        {
            error = Describe(e);
        }

        try
        {
            cleanup = await context.CallActivityAsync<DrillCleanup>(FunctionNames.CleanupRestoreDrill, drillId, BackupOrchestrator.Retried);
        }
        catch (TaskFailedException e)
        {
            // Recorded as a failure of the drill: a scratch copy of the site left behind is something to be told about.
            error = error is null ? Describe(e) : $"{error}; {Describe(e)}";
        }

        var record = await context.CallActivityAsync<RestoreDrill>(FunctionNames.RecordRestoreDrill,
            new DrillRecordInput(drillId, plan, restored, checks, cleanup, error, cancelled), BackupOrchestrator.Retried);
        return record.Status;
    }

    /// <summary>Runs a step unless the cancel event came; if it comes meanwhile, lets the step finish, then stops.</summary>
    private static async Task<T> StepAsync<T>(Task cancel, Func<Task<T>> start)
    {
        if (cancel.IsCompleted)
            throw new CancelRequestedException();
        var step = start();
        if (await Task.WhenAny(step, cancel) == step)
            return await step;
        try
        {
            await step;
        }
        catch (TaskFailedException)
        {
            // The drill stops anyway; the cleanup removes whatever the step left.
        }
        throw new CancelRequestedException();
    }

    private static string Describe(TaskFailedException e) => $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";

    /// <summary>The cancel event came (never leaves the orchestrator).</summary>
    private sealed class CancelRequestedException : Exception
    {
    }
}
