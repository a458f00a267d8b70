using System.Text.Json;
using Azure.Data.Tables;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Rows of the catalog tables. Top-level scalars are columns (readable in Storage Explorer and the portal, and
/// filterable); nested parts are JSON string columns. Columns that are null are not written.
/// </summary>
internal static class CatalogRows
{
    public const string ConfigPartition = "config";
    public const string StoragePartition = "storage";
    public const string JobPartition = "job";
    public const string BackupPartition = "backup";
    public const string AlertPartition = "alert";
    public const string RestoreJobPartition = "restore";

    /// <summary>The maxConcurrent guard rows (one per config) live beside the jobs, in a partition of their own.</summary>
    public const string JobSlotsPartition = "slots";

    /// <summary>
    /// Table Storage holds at most 64 KiB per string column, i.e. 32K UTF-16 characters; this leaves a margin. Larger
    /// JSON is refused; larger free text (error messages) is cut.
    /// </summary>
    public const int MaxColumnChars = 32_000;

    // --- configs ---

    /// <summary>The config's next scheduled run; the scheduler rewrites it alone (see ConfigsTable.SetNextRunAtAsync).</summary>
    public const string NextRunAtColumn = "NextRunAt";

    /// <summary>When the config was deleted (its row stays for its backups); read alone by ConfigsTable.SetNextRunAtAsync.</summary>
    public const string DeletedAtColumn = "DeletedAt";

    public static TableEntity FromConfig(StoredBackupConfig stored) => new(ConfigPartition, stored.Id)
    {
        // Name only labels the row for people browsing the table; the Config column is the truth.
        ["Name"] = Cut(stored.Config.Name),
        ["Config"] = Json(stored.Config, "Config"),
        ["CreatedAt"] = stored.CreatedAt,
        ["UpdatedAt"] = stored.UpdatedAt,
        [NextRunAtColumn] = stored.NextRunAt,
        [DeletedAtColumn] = stored.DeletedAt,
    };

    public static StoredBackupConfig ToConfig(TableEntity row, string table) => Read(row, table, () => new StoredBackupConfig(
        row.RowKey,
        FromJson<BackupConfig>(row, "Config"),
        Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        Required(row.GetDateTimeOffset("UpdatedAt"), "UpdatedAt"))
    {
        NextRunAt = row.GetDateTimeOffset(NextRunAtColumn),
        DeletedAt = row.GetDateTimeOffset(DeletedAtColumn),
    });

    // --- storage locations ---

    public static TableEntity FromStorage(StorageLocation location) => new(StoragePartition, location.Id)
    {
        ["Name"] = Cut(location.Name),
        ["Type"] = location.Type,
        ["Settings"] = Json(location.Settings, "Settings"),
        // Protected forms only (sealed values, setting references): see SecretSealer.
        ["Secrets"] = Json(location.Secrets, "Secrets"),
        ["MaxSizeBytes"] = location.MaxSizeBytes,
        ["Immutability"] = Json(location.Immutability, "Immutability"),
        ["CreatedAt"] = location.CreatedAt,
        ["LastTest"] = location.LastTest is null ? null : Json(location.LastTest, "LastTest"),
        ["UpdatedAt"] = location.UpdatedAt,
        ["Enabled"] = location.Enabled,
    };

    public static TableEntity StorageTestColumns(string id, StorageProbeResult result) => new(StoragePartition, id)
    {
        ["LastTest"] = Json(result, "LastTest"),
    };

    public static StorageLocation ToStorage(TableEntity row, string table) => Read(row, table, () => new StorageLocation
    {
        Id = row.RowKey,
        Name = Required(row.GetString("Name"), "Name"),
        Type = Required(row.GetString("Type"), "Type"),
        Settings = FromJson<Dictionary<string, string>>(row, "Settings"),
        Secrets = FromJson<Dictionary<string, string>>(row, "Secrets"),
        MaxSizeBytes = GetInt64(row, "MaxSizeBytes"),
        Immutability = FromJson<ImmutabilityOptions>(row, "Immutability"),
        CreatedAt = Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        LastTest = row.GetString("LastTest") is null ? null : FromJson<StorageProbeResult>(row, "LastTest"),
        UpdatedAt = row.GetDateTimeOffset("UpdatedAt"),
        Enabled = row.GetBoolean("Enabled") ?? true,
    });

    // --- jobs ---

    public static TableEntity FromJob(BackupJob job) => WithProgress(new(JobPartition, job.Id)
    {
        ["ConfigId"] = job.ConfigId,
        ["Trigger"] = job.Trigger,
        ["Name"] = Cut(job.Name),
        ["CreatedBy"] = job.CreatedBy,
        ["Result"] = job.Result is null ? null : Json(job.Result, "Result"),
        ["Type"] = job.Type,
        ["BaseBackupId"] = job.BaseBackupId,
        ["Comparison"] = job.Comparison is null ? null : Json(job.Comparison, "Comparison"),
        ["Status"] = JobStatusWords.Of(job.Status),
        ["CreatedAt"] = job.CreatedAt,
        ["ScheduledFor"] = job.ScheduledFor,
        ["StartedAt"] = job.StartedAt,
        ["CompletedAt"] = job.CompletedAt,
        ["DurationSeconds"] = job.DurationSeconds,
        ["Error"] = Cut(job.Error),
        ["Warnings"] = job.Warnings.Count == 0 ? null : Json(job.Warnings, "Warnings"),
        ["ChangedFiles"] = job.ChangedFiles.Count == 0 ? null : Json(job.ChangedFiles, "ChangedFiles"),
        ["ChangedFileCount"] = job.ChangedFileCount == 0 ? null : job.ChangedFileCount,
        ["LinkedComponents"] = job.LinkedComponents.Count == 0 ? null : Json(job.LinkedComponents, "LinkedComponents"),
        ["LinkedComponentCount"] = job.LinkedComponentCount == 0 ? null : job.LinkedComponentCount,
        ["BackupId"] = job.BackupId,
        ["Notifications"] = job.Notifications.Count == 0 ? null : Json(job.Notifications, "Notifications"),
        ["CancelRequested"] = job.CancelRequested,
        ["LastUpdatedAt"] = job.LastUpdatedAt,
    }, job.Progress);

    public static TableEntity FromJobSlots(string configId, IReadOnlyList<JobSlotHolder> holders) => new(JobSlotsPartition, configId)
    {
        ["Holders"] = Json(holders, "Holders"),
    };

    public static JobSlots ToJobSlots(TableEntity row, string table) => Read(row, table, () => new JobSlots(
        row.RowKey,
        row.GetString("Holders") is null ? [] : FromJson<JobSlotHolder[]>(row, "Holders"),
        row.ETag.ToString()));

    public static BackupJob ToJob(TableEntity row, string table) => Read(row, table, () => new BackupJob
    {
        Id = row.RowKey,
        ConfigId = Required(row.GetString("ConfigId"), "ConfigId"),
        Trigger = Required(row.GetString("Trigger"), "Trigger"),
        Name = row.GetString("Name"),
        CreatedBy = row.GetString("CreatedBy"),
        Result = row.GetString("Result") is null ? null : FromJson<BackupResult>(row, "Result"),
        Type = row.GetString("Type"),
        BaseBackupId = row.GetString("BaseBackupId"),
        Comparison = row.GetString("Comparison") is null ? null : FromJson<IncrementalCounts>(row, "Comparison"),
        Status = ParseStatus(row.GetString("Status")),
        CreatedAt = Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        ScheduledFor = row.GetDateTimeOffset("ScheduledFor"),
        StartedAt = row.GetDateTimeOffset("StartedAt"),
        CompletedAt = row.GetDateTimeOffset("CompletedAt"),
        DurationSeconds = GetDouble(row, "DurationSeconds"),
        Error = row.GetString("Error"),
        Warnings = row.GetString("Warnings") is null ? Array.Empty<string>() : FromJson<string[]>(row, "Warnings"),
        ChangedFiles = row.GetString("ChangedFiles") is null ? [] : FromJson<Archive.FileChange[]>(row, "ChangedFiles"),
        ChangedFileCount = GetInt64(row, "ChangedFileCount") ?? 0,
        LinkedComponents = row.GetString("LinkedComponents") is null ? [] : FromJson<Archive.LinkedComponent[]>(row, "LinkedComponents"),
        LinkedComponentCount = GetInt64(row, "LinkedComponentCount") ?? 0,
        BackupId = row.GetString("BackupId"),
        Notifications = row.GetString("Notifications") is null ? [] : FromJson<Notifications.NotificationDelivery[]>(row, "Notifications"),
        Progress = ToProgress(row),
        CancelRequested = row.GetBoolean("CancelRequested") ?? false,
        LastUpdatedAt = row.GetDateTimeOffset("LastUpdatedAt"),
    });

    // --- restore jobs ---

    public static TableEntity FromRestoreJob(RestoreJob job) => WithProgress(new(RestoreJobPartition, job.Id)
    {
        ["ConfigId"] = job.ConfigId,
        ["BackupId"] = job.BackupId,
        ["Status"] = RestoreJobStatusWords.Of(job.Status),
        ["Options"] = Json(job.Options, "Options"),
        ["PreRestoreBackupId"] = job.PreRestoreBackupId,
        ["Result"] = job.Result is null ? null : Json(job.Result, "Result"),
        ["Error"] = Cut(job.Error),
        ["CreatedAt"] = job.CreatedAt,
        ["StartedAt"] = job.StartedAt,
        ["CompletedAt"] = job.CompletedAt,
        ["CancelRequested"] = job.CancelRequested,
        ["LastUpdatedAt"] = job.LastUpdatedAt,
    }, job.Progress);

    public static RestoreJob ToRestoreJob(TableEntity row, string table) => Read(row, table, () => new RestoreJob
    {
        Id = row.RowKey,
        ConfigId = Required(row.GetString("ConfigId"), "ConfigId"),
        BackupId = Required(row.GetString("BackupId"), "BackupId"),
        Status = RestoreJobStatusWords.TryParse(row.GetString("Status"), out var status)
            ? status
            : throw new FormatException($"Status '{row.GetString("Status")}' is not one of {string.Join(", ", RestoreJobStatusWords.All)}."),
        Options = FromJson<Restores.RestoreOptions>(row, "Options"),
        PreRestoreBackupId = row.GetString("PreRestoreBackupId"),
        Progress = ToProgress(row),
        Result = row.GetString("Result") is null ? null : FromJson<RestoreJobResult>(row, "Result"),
        Error = row.GetString("Error"),
        CreatedAt = Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        StartedAt = row.GetDateTimeOffset("StartedAt"),
        CompletedAt = row.GetDateTimeOffset("CompletedAt"),
        CancelRequested = row.GetBoolean("CancelRequested") ?? false,
        LastUpdatedAt = row.GetDateTimeOffset("LastUpdatedAt"),
    });

    // --- backups ---

    public static TableEntity FromBackup(BackupRecord backup) => new(BackupPartition, backup.Id)
    {
        ["ConfigId"] = backup.ConfigId,
        ["JobId"] = backup.JobId,
        ["Type"] = backup.Type,
        ["BaseBackupId"] = backup.BaseBackupId,
        ["ReferencedBackupIds"] = backup.ReferencedBackupIds.Count == 0 ? null : Json(backup.ReferencedBackupIds, "ReferencedBackupIds"),
        ["Trigger"] = backup.Trigger,
        ["Status"] = backup.Status,
        ["CreatedAt"] = backup.CreatedAt,
        ["CompletedAt"] = backup.CompletedAt,
        ["SizeBytes"] = backup.SizeBytes,
        ["Checksum"] = backup.Checksum,
        ["CompressionRatio"] = backup.CompressionRatio,
        ["Compression"] = backup.Compression,
        ["Encryption"] = backup.Encryption,
        ["Statistics"] = Json(backup.Statistics, "Statistics"),
        ["Locations"] = Json(backup.Locations, "Locations"),
        ["DeletionError"] = backup.DeletionError,
        ["LastRestoreDrill"] = backup.LastRestoreDrill is null ? null : Json(backup.LastRestoreDrill, "LastRestoreDrill"),
    };

    public static BackupRecord ToBackup(TableEntity row, string table) => Read(row, table, () => new BackupRecord
    {
        Id = row.RowKey,
        ConfigId = Required(row.GetString("ConfigId"), "ConfigId"),
        JobId = Required(row.GetString("JobId"), "JobId"),
        Type = Required(row.GetString("Type"), "Type"),
        BaseBackupId = row.GetString("BaseBackupId"),
        ReferencedBackupIds = row.GetString("ReferencedBackupIds") is null ? [] : FromJson<string[]>(row, "ReferencedBackupIds"),
        Trigger = row.GetString("Trigger"),
        Status = Required(row.GetString("Status"), "Status"),
        CreatedAt = Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        CompletedAt = Required(row.GetDateTimeOffset("CompletedAt"), "CompletedAt"),
        SizeBytes = Required(GetInt64(row, "SizeBytes"), "SizeBytes"),
        Checksum = Required(row.GetString("Checksum"), "Checksum"),
        CompressionRatio = Required(GetDouble(row, "CompressionRatio"), "CompressionRatio"),
        Compression = Required(row.GetString("Compression"), "Compression"),
        Encryption = Required(row.GetString("Encryption"), "Encryption"),
        Statistics = FromJson<BackupStatistics>(row, "Statistics"),
        Locations = FromJson<List<BackupLocation>>(row, "Locations"),
        DeletionError = row.GetString("DeletionError"),
        LastRestoreDrill = row.GetString("LastRestoreDrill") is null ? null : FromJson<LastRestoreDrill>(row, "LastRestoreDrill"),
    });

    // --- alerts ---

    public static TableEntity FromAlert(BackupAlert alert) => new(AlertPartition, alert.Id)
    {
        ["Type"] = alert.Type,
        ["Severity"] = alert.Severity,
        ["ConfigId"] = alert.ConfigId,
        ["BackupId"] = alert.BackupId,
        ["Destination"] = alert.Destination,
        ["Message"] = Cut(alert.Message),
        ["CreatedAt"] = alert.CreatedAt,
        ["LastSeenAt"] = alert.LastSeenAt,
        ["Occurrences"] = alert.Occurrences,
        ["Status"] = alert.Status,
        ["AcknowledgedAt"] = alert.AcknowledgedAt,
        ["AcknowledgedBy"] = Cut(alert.AcknowledgedBy),
        ["AcknowledgementNote"] = Cut(alert.AcknowledgementNote),
        ["ResolvedAt"] = alert.ResolvedAt,
    };

    public static BackupAlert ToAlert(TableEntity row, string table) => Read(row, table, () => new BackupAlert
    {
        Id = row.RowKey,
        Type = Required(row.GetString("Type"), "Type"),
        Severity = Required(row.GetString("Severity"), "Severity"),
        ConfigId = Required(row.GetString("ConfigId"), "ConfigId"),
        BackupId = row.GetString("BackupId"),
        Destination = row.GetString("Destination"),
        Message = Required(row.GetString("Message"), "Message"),
        CreatedAt = Required(row.GetDateTimeOffset("CreatedAt"), "CreatedAt"),
        // Rows written before these columns existed: seen once, when raised.
        LastSeenAt = row.GetDateTimeOffset("LastSeenAt") ?? row.GetDateTimeOffset("CreatedAt"),
        Occurrences = row.GetInt32("Occurrences") ?? 1,
        Status = Required(row.GetString("Status"), "Status"),
        AcknowledgedAt = row.GetDateTimeOffset("AcknowledgedAt"),
        AcknowledgedBy = row.GetString("AcknowledgedBy"),
        AcknowledgementNote = row.GetString("AcknowledgementNote"),
        ResolvedAt = row.GetDateTimeOffset("ResolvedAt"),
    });

    // --- helpers ---

    /// <summary>Backup and restore jobs keep their progress in the same columns (readable and filterable alike).</summary>
    private static TableEntity WithProgress(TableEntity row, JobProgress progress)
    {
        row["CurrentStep"] = Cut(progress.CurrentStep);
        row["CompletedSteps"] = progress.CompletedSteps;
        row["TotalSteps"] = progress.TotalSteps;
        row["Percentage"] = progress.Percentage;
        row["ProcessedFiles"] = progress.ProcessedFiles;
        row["TotalFiles"] = progress.TotalFiles;
        row["ProcessedBytes"] = progress.ProcessedBytes;
        row["TotalBytes"] = progress.TotalBytes;
        row["DatabaseBytes"] = progress.DatabaseBytes;
        row["Speed"] = progress.Speed;
        row["Eta"] = progress.Eta;
        row["SampledAt"] = progress.SampledAt;
        row["SampledBytes"] = progress.SampledBytes;
        return row;
    }

    private static JobProgress ToProgress(TableEntity row) => new()
    {
        CurrentStep = row.GetString("CurrentStep"),
        CompletedSteps = row.GetInt32("CompletedSteps") ?? 0,
        TotalSteps = row.GetInt32("TotalSteps") ?? 0,
        Percentage = GetDouble(row, "Percentage") ?? 0,
        ProcessedFiles = GetInt64(row, "ProcessedFiles") ?? 0,
        TotalFiles = GetInt64(row, "TotalFiles") ?? 0,
        ProcessedBytes = GetInt64(row, "ProcessedBytes") ?? 0,
        TotalBytes = GetInt64(row, "TotalBytes") ?? 0,
        DatabaseBytes = GetInt64(row, "DatabaseBytes") ?? 0,
        Speed = GetDouble(row, "Speed"),
        Eta = GetInt64(row, "Eta"),
        SampledAt = row.GetDateTimeOffset("SampledAt"),
        SampledBytes = GetInt64(row, "SampledBytes") ?? 0,
    };

    private static JobStatus ParseStatus(string? word) => JobStatusWords.TryParse(word, out var status)
        ? status
        : throw new FormatException($"Status '{word}' is not one of {string.Join(", ", JobStatusWords.All)}.");

    private static string Json<T>(T value, string column)
    {
        var json = JsonSerializer.Serialize(value, CatalogJson.Options);
        return json.Length <= MaxColumnChars
            ? json
            : throw new ArgumentException(
                $"{column} is too large to store in the catalog: {json.Length} characters of JSON, at most {MaxColumnChars}.");
    }

    private static T FromJson<T>(TableEntity row, string column)
        => JsonSerializer.Deserialize<T>(Required(row.GetString(column), column), CatalogJson.Options)
            ?? throw new FormatException($"Column {column} holds JSON null.");

    private static string? Cut(string? text)
        => text is { Length: > MaxColumnChars } ? string.Concat(text.AsSpan(0, MaxColumnChars - 14), " …(truncated)") : text;

    private static T Required<T>(T? value, string column) where T : class
        => value ?? throw new FormatException($"Column {column} is missing.");

    private static T Required<T>(T? value, string column) where T : struct
        => value ?? throw new FormatException($"Column {column} is missing.");

    // The service returns a whole-number double or a small Int64 without a type annotation in some cases;
    // accept any numeric column for the numeric fields.
    private static double? GetDouble(TableEntity row, string column) => row.TryGetValue(column, out var value) ? value switch
    {
        null => null,
        double d => d,
        int i => i,
        long l => l,
        _ => throw new FormatException($"Column {column} is not a number."),
    } : null;

    private static long? GetInt64(TableEntity row, string column) => row.TryGetValue(column, out var value) ? value switch
    {
        null => null,
        long l => l,
        int i => i,
        _ => throw new FormatException($"Column {column} is not an integer."),
    } : null;

    /// <summary>Turns any reason a row cannot be read into one error that names the row.</summary>
    private static T Read<T>(TableEntity row, string table, Func<T> map)
    {
        try
        {
            return map();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"Catalog table {table}, row {row.RowKey}, is corrupt: {e.Message}", e);
        }
    }
}
