using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-configs</c>: what to back up, when and where.</summary>
public sealed class BackupConfigsApi(BackupCatalog catalog, TimeProvider time, NotificationSetup notifications, BackupConfigChecks checks)
{
    [Function("CreateBackupConfig")]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (config, errors) = await JsonBody.ReadAsync<BackupConfig>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var invalid = checks.Validate(config!);
        if (invalid.Count > 0)
            return ApiResults.BadRequest(invalid);
        var missing = await MissingStorageAsync(config!, cancellationToken);
        if (missing.Count > 0)
            return ApiResults.BadRequest(missing);
        // Webhook secrets are sealed (or kept as setting references) before the config reaches a row.
        var (notify, notifyErrors) = notifications.Prepare(config!.Notifications);
        if (notifyErrors.Count > 0)
            return ApiResults.BadRequest(notifyErrors);

        var stored = await catalog.Configs.CreateAsync(config with { Notifications = notify }, cancellationToken);
        return ApiResults.Created($"/api/backup-configs/{stored.Id}", BackupConfigView.From(stored, time.GetUtcNow()));
    }

    private async Task<Dictionary<string, string[]>> MissingStorageAsync(BackupConfig config, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var destinations = config.Replicas.Select((d, i) => (Destination: d, Path: $"replicas[{i}]")).Prepend((config.Storage, "storage"));
        foreach (var (destination, path) in destinations)
        {
            if (destination.StorageId is { } id && await catalog.StorageLocations.GetAsync(id, cancellationToken) is null)
                errors[$"{path}.storageId"] = [$"There is no storage location '{id}'; create it with POST /api/backup-storage."];
        }
        return errors;
    }

    [Function("ListBackupConfigs")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-configs")] HttpRequest request,
        CancellationToken cancellationToken)
        => PagedListing.ListAsync(request, async (pageSize, token, ct) =>
        {
            var page = await catalog.Configs.ListAsync(pageSize, token, ct);
            var now = time.GetUtcNow();
            return new Page<BackupConfigView>([.. page.Items.Select(c => BackupConfigView.From(c, now))], page.ContinuationToken);
        }, cancellationToken);

    [Function("GetBackupConfig")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-configs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var stored = Ids.IsWellFormed(id) ? await catalog.Configs.GetAsync(id, cancellationToken) : null;
        return stored is null
            ? ApiResults.NotFound("Backup config", id)
            : ApiResults.Ok(BackupConfigView.From(stored, time.GetUtcNow()));
    }
}
