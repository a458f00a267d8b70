using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary>
/// <c>/api/backup-configs</c>: what to back up, when and where. Bodies are read as <see cref="BackupConfigInput"/>
/// (today's words and the seed's), answers are <see cref="BackupConfigView"/> with an <c>ETag</c>; the logic is
/// <see cref="BackupConfigEditor"/>'s.
/// </summary>
public sealed class BackupConfigsApi(BackupCatalog catalog, TimeProvider time, BackupConfigEditor editor, BackupConfigTester tester)
{
    [Function("CreateBackupConfig")]
    public async Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (input, errors) = await JsonBody.ReadAsync<BackupConfigInput>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var result = await editor.CreateAsync(input!, cancellationToken);
        return result is { Outcome: ConfigEditOutcome.Done, Config: { } stored }
            ? new TaggedJsonResult(BackupConfigView.From(stored, time.GetUtcNow()), StatusCodes.Status201Created, stored.Version(), $"/api/backup-configs/{stored.Id}")
            : ApiResults.BadRequest(result.Errors ?? new Dictionary<string, string[]>());
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
        return stored is not { DeletedAt: null }
            ? ApiResults.NotFound("Backup config", id)
            : new TaggedJsonResult(BackupConfigView.From(stored, time.GetUtcNow()), StatusCodes.Status200OK, stored.Version());
    }

    /// <summary>
    /// Replaces the config (validated as a create). <c>If-Match</c> with the ETag of the version the editor read (or
    /// the body's <c>updatedAt</c>) makes a stale edit a 412 instead of overwriting another editor's.
    /// </summary>
    [Function("ReplaceBackupConfig")]
    public async Task<IActionResult> Replace(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "backup-configs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup config", id);
        var (input, errors) = await JsonBody.ReadAsync<BackupConfigInput>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var result = await editor.ReplaceAsync(id, input!, IfMatch(request), cancellationToken);
        return Answer(result, id, StatusCodes.Status200OK);
    }

    /// <summary>
    /// Deletes the config: <c>409</c> while a backup or restore of it is pending or running. Its backups stay listed and
    /// restorable under its id and name, unless <c>?deleteBackups=true</c> removes them as retention does (locked
    /// ones stay).
    /// </summary>
    [Function("DeleteBackupConfig")]
    public async Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "backup-configs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup config", id);
        var deleteBackups = false;
        if (request.Query.TryGetValue("deleteBackups", out var flag) && !bool.TryParse(flag.ToString(), out deleteBackups))
            return ApiResults.BadRequest("deleteBackups", "deleteBackups must be true or false.");
        var result = await editor.DeleteAsync(id, deleteBackups, IfMatch(request), cancellationToken);
        if (result is { Outcome: ConfigEditOutcome.Done, Config: { } deleted })
        {
            return ApiResults.Ok(new DeletedBackupConfigView(deleted.Id, deleted.Config.Name, deleted.DeletedAt!.Value, deleteBackups,
                result.Backups?.Removed ?? 0, result.Backups?.Backups.Where(b => b.Outcome != Core.Retention.RetentionEntry.Removed).Select(b => b.BackupId).ToList() ?? new List<string>(),
                result.Backups));
        }
        return Answer(result, id, StatusCodes.Status200OK);
    }

    /// <summary>
    /// Checks everything a run of the config needs without writing a backup: 200 with every check (name, ok,
    /// durationMs; kind and message on failure), whether they passed or not.
    /// </summary>
    [Function("TestBackupConfig")]
    public async Task<IActionResult> Test(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs/{id}/test")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var stored = Ids.IsWellFormed(id) ? await catalog.Configs.GetAsync(id, cancellationToken) : null;
        if (stored is not { DeletedAt: null })
            return ApiResults.NotFound("Backup config", id);
        return ApiResults.Ok(await tester.TestAsync(stored, cancellationToken));
    }

    private IActionResult Answer(ConfigEditResult result, string id, int status) => result switch
    {
        { Outcome: ConfigEditOutcome.Done, Config: { } stored } => new TaggedJsonResult(BackupConfigView.From(stored, time.GetUtcNow()), status, stored.Version()),
        { Outcome: ConfigEditOutcome.Invalid } => ApiResults.BadRequest(result.Errors ?? new Dictionary<string, string[]>()),
        { Outcome: ConfigEditOutcome.Stale } => PreconditionFailed(id, result.Config),
        { Outcome: ConfigEditOutcome.Busy } => ApiResults.Conflict("The backup config is in use.", result.Reason ?? ""),
        _ => ApiResults.NotFound("Backup config", id),
    };

    private static string? IfMatch(HttpRequest request)
        => request.Headers.IfMatch.Count == 0 ? null : string.Join(",", request.Headers.IfMatch.OfType<string>());

    /// <summary>412: the config changed since the editor read it; the current ETag is given so the client can re-read.</summary>
    private static IActionResult PreconditionFailed(string id, StoredBackupConfig? current)
    {
        var problem = new ValidationProblemDetails
        {
            Title = "The backup config was changed by someone else.",
            Status = StatusCodes.Status412PreconditionFailed,
            Detail = $"Backup config '{id}' is no longer at the version this edit was based on (If-Match / updatedAt); "
                + "read it again (GET), apply the change to what it is now, and send it with the new ETag.",
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.13",
        };
        problem.Errors["If-Match"] = [problem.Detail];
        return new TaggedJsonResult(problem, StatusCodes.Status412PreconditionFailed, current?.Version() ?? "\"\"") { ContentType = "application/problem+json" };
    }
}
