using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-storage</c>: named destinations that configs use by id, and their connection test.</summary>
public sealed class BackupStorageApi(BackupCatalog catalog, StorageLocations locations)
{
    [Function("CreateBackupStorage")]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-storage")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (input, errors) = await JsonBody.ReadAsync<StorageLocationInput>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var (location, invalid) = await locations.CreateAsync(input!, cancellationToken);
        return location is null
            ? ApiResults.BadRequest(invalid)
            : ApiResults.Created($"/api/backup-storage/{location.Id}", StorageLocationView.From(location));
    }

    [Function("ListBackupStorage")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-storage")] HttpRequest request,
        CancellationToken cancellationToken)
        => PagedListing.ListAsync(request, async (pageSize, token, ct) =>
        {
            var page = await catalog.StorageLocations.ListAsync(pageSize, token, ct);
            return new Page<StorageLocationView>([.. page.Items.Select(StorageLocationView.From)], page.ContinuationToken);
        }, cancellationToken);

    [Function("GetBackupStorage")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-storage/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var location = Ids.IsWellFormed(id) ? await catalog.StorageLocations.GetAsync(id, cancellationToken) : null;
        return location is null ? ApiResults.NotFound("Storage location", id) : ApiResults.Ok(StorageLocationView.From(location));
    }

    /// <summary>Writes, reads back, lists and deletes a probe object; 200 either way, the body tells which step failed and why.</summary>
    [Function("TestBackupStorage")]
    public async Task<IActionResult> Test(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-storage/{id}/test")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var result = Ids.IsWellFormed(id) ? await locations.TestAsync(id, cancellationToken) : null;
        return result is null ? ApiResults.NotFound("Storage location", id) : ApiResults.Ok(result);
    }
}
