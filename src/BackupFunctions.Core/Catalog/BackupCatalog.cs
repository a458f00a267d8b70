using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The catalog in Azure Table Storage: one class per table, the way Azure.Data.Tables gives each table its own
/// <see cref="TableClient"/> (callers write <c>catalog.Jobs.GetAsync(id, ct)</c>). Every table name is prefixed with
/// <see cref="CatalogOptions.TablePrefix"/>. Each table is one partition (a constant partition key) with the id as row
/// key, so a read by id is one point read; ids start with an inverted time, so lists are newest first with a plain
/// scan and their continuation tokens are the service's own (<see cref="ContinuationTokens"/>). Read-modify-writes go
/// through one ETag loop (<see cref="ETagRetry"/>).
/// </summary>
/// <remarks>
/// Service errors (<see cref="RequestFailedException"/>) propagate except where a method states otherwise; a row
/// that cannot be read back (bad JSON, missing column) gives <see cref="InvalidDataException"/> naming table and row.
/// </remarks>
public sealed class BackupCatalog
{
    public const int MaxPageSize = 100;

    /// <param name="tablePrefix">Empty, or letters and digits starting with a letter (table names are alphanumeric).</param>
    public BackupCatalog(TableServiceClient service, string tablePrefix, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        ArgumentNullException.ThrowIfNull(time);
        // The longest table name ("BackupConfigs", 13 letters) must stay within the service's 63 characters.
        if (tablePrefix.Length > 50 || !tablePrefix.All(char.IsAsciiLetterOrDigit) || (tablePrefix.Length > 0 && !char.IsAsciiLetter(tablePrefix[0])))
            throw new ArgumentException($"The catalog table prefix '{tablePrefix}' must be up to 50 letters and digits, starting with a letter.", nameof(tablePrefix));

        Configs = new ConfigsTable(service.GetTableClient(tablePrefix + ConfigsTable.TableName), time);
        StorageLocations = new StorageLocationsTable(service.GetTableClient(tablePrefix + StorageLocationsTable.TableName), time);
        Jobs = new JobsTable(service.GetTableClient(tablePrefix + JobsTable.TableName), time);
        Backups = new BackupsTable(service.GetTableClient(tablePrefix + BackupsTable.TableName));
        Alerts = new AlertsTable(service.GetTableClient(tablePrefix + AlertsTable.TableName), time);
        RestoreJobs = new RestoreJobsTable(service.GetTableClient(tablePrefix + RestoreJobsTable.TableName), time);
        RestoreDrills = new RestoreDrillsTable(service.GetTableClient(tablePrefix + RestoreDrillsTable.TableName), time);
    }

    public ConfigsTable Configs { get; }
    public StorageLocationsTable StorageLocations { get; }

    /// <summary>Backup jobs, and the guard rows of each config's <c>maxConcurrent</c> places.</summary>
    public JobsTable Jobs { get; }

    public BackupsTable Backups { get; }
    public AlertsTable Alerts { get; }
    public RestoreJobsTable RestoreJobs { get; }
    public RestoreDrillsTable RestoreDrills { get; }

    /// <summary>Creates the tables when missing (idempotent).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        foreach (var table in new[] { Configs.Client, StorageLocations.Client, Jobs.Client, Backups.Client, Alerts.Client, RestoreJobs.Client, RestoreDrills.Client })
            await table.CreateIfNotExistsAsync(cancellationToken);
    }
}
