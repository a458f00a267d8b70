using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores.Drills;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>The restore drill orchestration's activities: each binds its input and makes one call into the engine.</summary>
public sealed class RestoreDrillActivities(RestoreDrillRunner runner)
{
    [Function(FunctionNames.StartRestoreDrill)]
    public Task<DrillPlan> Start([ActivityTrigger] string drillId, CancellationToken cancellationToken)
        => runner.StartAsync(drillId, cancellationToken);

    [Function(FunctionNames.RestoreDrillScratch)]
    public Task<DrillRestored> Restore([ActivityTrigger] DrillPlan plan, CancellationToken cancellationToken)
        => runner.RestoreAsync(plan, cancellationToken);

    [Function(FunctionNames.RunDrillChecks)]
    public Task<IReadOnlyList<DrillCheckOutcome>> Check([ActivityTrigger] DrillPlan plan, CancellationToken cancellationToken)
        => runner.CheckAsync(plan, cancellationToken);

    [Function(FunctionNames.CleanupRestoreDrill)]
    public Task<DrillCleanup> Cleanup([ActivityTrigger] string drillId, CancellationToken cancellationToken)
        => runner.CleanupAsync(drillId, cancellationToken);

    [Function(FunctionNames.RecordRestoreDrill)]
    public Task<RestoreDrill> Record([ActivityTrigger] DrillRecordInput input, CancellationToken cancellationToken)
        => runner.RecordAsync(input, cancellationToken);
}
