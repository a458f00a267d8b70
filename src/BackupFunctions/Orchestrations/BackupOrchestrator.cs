using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Keys;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// One backup (DESIGN §2): start job → prepare key → dump database ∥ archive files → manifest (commit) → record.
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

    private static readonly TaskOptions Retried = TaskOptions.FromRetryPolicy(new RetryPolicy(
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
            var record = await context.CallActivityAsync<BackupRecord>(
                FunctionNames.RecordBackup, new RecordInput(plan, manifest), Retried);
            return record.Id;
        }
        catch (TaskFailedException e)
        {
            await context.CallActivityAsync(FunctionNames.FailJob, new FailureInput(request.JobId, Describe(e), plan), Retried);
            throw;
        }
    }

    /// <summary>The activity's own error message (the engine words it for users), prefixed by the step that failed.</summary>
    private static string Describe(TaskFailedException e) => $"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}";
}
