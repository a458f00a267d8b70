using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupLogs table (name prefixed like the catalog's): a job's log, one partition per job id. Row keys are the
/// entry's time in ticks (19 digits), a per-process sequence and a random tag, so a partition scan reads the entries
/// in time order and two processes writing in the same tick never collide.
/// </summary>
/// <remarks>
/// The log is advisory: <see cref="WriteAsync"/> never fails the backup (a failed write is logged and dropped). The
/// table is created on first use, so an install that never ran a job has none.
/// </remarks>
public sealed class JobLogs
{
    public const string TableName = "BackupLogs";

    /// <summary>Context JSON larger than this is replaced by a note: entries stay small rows.</summary>
    private const int MaxContextChars = 4000;

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly ILogger<JobLogs> _logger;
    private readonly string _tag = RandomNumberGenerator.GetHexString(6, lowercase: true);
    private long _sequence;

    public JobLogs(TableServiceClient service, string tablePrefix, TimeProvider time, ILogger<JobLogs> logger)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        _table = service.GetTableClient(tablePrefix + TableName);
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Appends an entry to the job's log, stamped now. <paramref name="context"/> is serialized to a JSON object (an
    /// anonymous object or a dictionary of figures); callers put no secrets in it.
    /// </summary>
    public async Task WriteAsync(string jobId, JobLogLevel level, string message, object? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(message);
        var now = _time.GetUtcNow();
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{now.UtcTicks:D19}-{Interlocked.Increment(ref _sequence):D10}-{_tag}");
        var entity = new TableEntity(jobId, key)
        {
            ["Time"] = now,
            ["Level"] = LevelWord(level),
            ["Message"] = message.Length <= 2000 ? message : string.Concat(message.AsSpan(0, 1986), " …(truncated)"),
            ["Context"] = ContextJson(context),
        };
        try
        {
            try
            {
                await _table.AddEntityAsync(entity, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                await _table.CreateIfNotExistsAsync(cancellationToken);
                await _table.AddEntityAsync(entity, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not write the log entry '{Message}' of job {JobId}", message, jobId);
        }
    }

    /// <summary>One page of the job's log, oldest first; an empty page when it has none.</summary>
    /// <exception cref="ArgumentException">The continuation token is not one this listing gave (<c>continuationToken</c>).</exception>
    public async Task<Page<JobLogEntry>> ListAsync(string jobId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, BackupCatalog.MaxPageSize);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {jobId}");
        try
        {
            var pages = _table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken)
                .AsPages(ContinuationTokens.Unwrap(continuationToken), pageSize);
            await foreach (var page in pages)
                return new Page<JobLogEntry>([.. page.Values.Select(ToEntry)], ContinuationTokens.Wrap(page.ContinuationToken));
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            // No table yet: no job has logged anything.
        }
        return new Page<JobLogEntry>([], null);
    }

    /// <summary>Deletes the job's whole log (with the job, when job history is purged). Idempotent.</summary>
    public async Task DeleteAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {jobId}");
        try
        {
            await foreach (var row in _table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
                await _table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
        }
    }

    private static JobLogEntry ToEntry(TableEntity row)
    {
        var context = row.GetString("Context") is { } json ? JsonNode.Parse(json) as JsonObject : null;
        return new JobLogEntry(
            row.GetDateTimeOffset("Time") ?? row.Timestamp ?? DateTimeOffset.MinValue,
            row.GetString("Level") switch { "warning" => JobLogLevel.Warning, "error" => JobLogLevel.Error, _ => JobLogLevel.Info },
            row.GetString("Message") ?? "",
            context);
    }

    private static string LevelWord(JobLogLevel level) => level switch
    {
        JobLogLevel.Warning => "warning",
        JobLogLevel.Error => "error",
        _ => "info",
    };

    private static string? ContextJson(object? context)
    {
        if (context is null)
            return null;
        var json = JsonSerializer.Serialize(context, CatalogJson.Options);
        return json.Length <= MaxContextChars ? json : JsonSerializer.Serialize(new { truncated = true, chars = json.Length });
    }
}
