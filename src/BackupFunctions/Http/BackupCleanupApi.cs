using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Retention;
using BackupFunctions.Orchestrations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-configs/{id}/cleanup</c>: show a config's retention plan (dry run) or apply it.</summary>
public sealed class BackupCleanupApi(BackupCatalog catalog, RetentionCleaner cleaner)
{
    /// <summary>
    /// Dry run (the default): 200 with the plan. <c>{"dryRun": false}</c>: 202 with the plan as it stands, applied by
    /// an orchestration (it is recomputed when it runs, so protections hold at that moment); follow it with GET on the
    /// same route. 409 while a cleanup of the config runs.
    /// </summary>
    [Function("CleanupBackups")]
    public async Task<IActionResult> Cleanup(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs/{id}/cleanup")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, errors) = await JsonBody.ReadAsync(request, new CleanupBody(), cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var stored = Ids.IsWellFormed(id) ? await catalog.Configs.GetAsync(id, cancellationToken) : null;
        if (stored is null)
            return ApiResults.NotFound("Backup config", id);
        if (stored.Config.Retention is not { HasRules: true })
        {
            return ApiResults.BadRequest("retention", $"Config {id} has no retention rule, so every backup is kept; " +
                "set retention (keepDaily, keepWeekly, keepMonthly, keepYearly, maxTotalBackups or keepWithin) first.");
        }

        var plan = await cleaner.PlanAsync(id, cancellationToken);
        if (plan is null)
            return ApiResults.NotFound("Backup config", id);
        if (body!.DryRun)
            return ApiResults.Ok(plan);

        var instanceId = RetentionOrchestrator.InstanceIdFor(id);
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is not null && !existing.IsCompleted)
            return ApiResults.Conflict("A cleanup is running.", $"A cleanup of config {id} is still running; follow it with GET /api/backup-configs/{id}/cleanup.");
        await client.ScheduleNewOrchestrationInstanceAsync(FunctionNames.RetentionOrchestrator, new RetentionRequest(id),
            new Microsoft.DurableTask.StartOrchestrationOptions(instanceId), cancellationToken);
        var follow = $"/api/backup-configs/{id}/cleanup";
        return ApiResults.Accepted(follow, new CleanupStarted("running", follow, plan));
    }

    /// <summary>The last cleanup applied through the API: its status and, once finished, what it did.</summary>
    [Function("GetCleanup")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-configs/{id}/cleanup")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var stored = Ids.IsWellFormed(id) ? await catalog.Configs.GetAsync(id, cancellationToken) : null;
        if (stored is null)
            return ApiResults.NotFound("Backup config", id);
        var instance = await client.GetInstanceAsync(RetentionOrchestrator.InstanceIdFor(id), getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
            return ApiResults.Ok(new CleanupView("none") { Message = $"No cleanup of config {id} was applied through the API (or its history was purged)." });
        var status = instance.RuntimeStatus switch
        {
            OrchestrationRuntimeStatus.Completed => "completed",
            OrchestrationRuntimeStatus.Failed => "failed",
            OrchestrationRuntimeStatus.Terminated => "terminated",
            OrchestrationRuntimeStatus.Pending => "pending",
            _ => "running",
        };
        return ApiResults.Ok(new CleanupView(status)
        {
            StartedAt = instance.CreatedAt,
            UpdatedAt = instance.LastUpdatedAt,
            Error = instance.FailureDetails?.ErrorMessage,
            Report = instance.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? instance.ReadOutputAs<RetentionReport>() : null,
        });
    }
}
