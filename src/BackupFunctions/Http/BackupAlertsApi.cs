using System.Text.RegularExpressions;
using BackupFunctions.Core.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-alerts</c>: what an operator must look at (failed backups and copies, full or overdue storage, …).</summary>
public sealed partial class BackupAlertsApi(BackupCatalog catalog)
{
    /// <summary>Newest first, paged; filtered by <c>status</c>, <c>configId</c>, <c>severity</c> and <c>type</c> (each optional).</summary>
    [Function("ListBackupAlerts")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-alerts")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        string? Word(string name, IReadOnlyList<string> allowed)
        {
            if (!request.Query.TryGetValue(name, out var raw) || string.IsNullOrEmpty(raw))
                return null;
            if (allowed.Contains(raw.ToString()))
                return raw.ToString();
            errors[name] = [$"{name} must be one of {string.Join(", ", allowed)}."];
            return null;
        }
        var query = new AlertQuery
        {
            Status = Word("status", AlertStatuses.All),
            Severity = Word("severity", AlertSeverities.All),
            Type = Word("type", [AlertTypes.BackupFailed, AlertTypes.BackupOverdue, AlertTypes.StorageFull, AlertTypes.ReplicationFailed, AlertTypes.VerificationFailed]),
            ConfigId = request.Query.TryGetValue("configId", out var configId) && !string.IsNullOrEmpty(configId) ? configId.ToString() : null,
        };
        if (errors.Count > 0)
            return Task.FromResult(ApiResults.BadRequest(errors));
        return PagedListing.ListAsync(request, (size, token, ct) => catalog.Alerts.ListAsync(query, size, token, ct), cancellationToken);
    }

    /// <summary>open → acknowledged (200 with the alert); 200 again when acknowledged already; 404 unknown; 409 resolved.</summary>
    [Function("AcknowledgeBackupAlert")]
    public async Task<IActionResult> Acknowledge(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-alerts/{id}/acknowledge")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, errors) = await JsonBody.ReadAsync(request, new AcknowledgeAlertBody(), cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        if (body!.By is { Length: > 200 })
            return ApiResults.BadRequest("by", "by must be at most 200 characters.");
        if (body.Note is { Length: > 2000 })
            return ApiResults.BadRequest("note", "note must be at most 2000 characters.");
        if (!AlertId().IsMatch(id))
            return ApiResults.NotFound("Alert", id);

        var (outcome, alert) = await catalog.Alerts.AcknowledgeAsync(id, body.By, body.Note, cancellationToken);
        return outcome switch
        {
            AcknowledgeOutcome.NotFound => ApiResults.NotFound("Alert", id),
            AcknowledgeOutcome.Resolved => ApiResults.Conflict("The alert is resolved.", $"Alert '{id}' was resolved at {alert!.ResolvedAt:u}; there is nothing to acknowledge."),
            _ => ApiResults.Ok(alert!),
        };
    }

    /// <summary>Alert ids join type, config, backup and copy with underscores (<see cref="AlertTypes.IdFor"/>).</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,400}$")]
    private static partial Regex AlertId();
}
