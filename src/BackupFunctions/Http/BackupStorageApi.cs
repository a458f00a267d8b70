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

    /// <summary>
    /// Renames, rotates secrets, changes <c>maxSizeBytes</c> or <c>enabled</c> (<see cref="StorageLocationUpdate"/>: what
    /// is not given stays; where it points cannot change): 200 with the location (secrets by name only); 400 naming the
    /// field; 404 for an unknown location.
    /// </summary>
    [Function("UpdateBackupStorage")]
    public async Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "backup-storage/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (update, errors) = await JsonBody.ReadAsync<StorageLocationUpdate>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Storage location", id);
        var (location, invalid) = await locations.UpdateAsync(id, update!, cancellationToken);
        if (invalid.Count > 0)
            return ApiResults.BadRequest(invalid);
        return location is null ? ApiResults.NotFound("Storage location", id) : ApiResults.Ok(StorageLocationView.From(location));
    }

    /// <summary>204; 409 while a config names it or a backup is stored there (the body says which); 404 for an unknown one.</summary>
    [Function("DeleteBackupStorage")]
    public async Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "backup-storage/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Storage location", id);
        var (deleted, inUse) = await locations.DeleteAsync(id, cancellationToken);
        if (inUse is not null)
            return ApiResults.Conflict("The storage location is in use.", inUse, "in_use");
        return deleted ? new NoContentResult() : ApiResults.NotFound("Storage location", id);
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
