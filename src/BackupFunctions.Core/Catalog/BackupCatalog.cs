using Azure.Data.Tables;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The catalog in Azure Table Storage: tables BackupConfigs, BackupJobs and Backups (each name prefixed with
/// <see cref="CatalogOptions.TablePrefix"/>). Point reads by id are one read; lists are newest first with
/// continuation tokens; updates use ETags.
/// </summary>
public sealed class BackupCatalog
{
    public BackupCatalog(TableServiceClient service, string tablePrefix, TimeProvider time) => throw new NotImplementedException();

    /// <summary>Creates the tables when missing (idempotent).</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    // --- configs ---
    public Task<StoredBackupConfig> CreateConfigAsync(BackupConfig config, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<StoredBackupConfig?> GetConfigAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<Page<StoredBackupConfig>> ListConfigsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) => throw new NotImplementedException();
    public IAsyncEnumerable<StoredBackupConfig> AllConfigsAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    // --- jobs ---
    /// <summary>Inserts a new job; false (and nothing written) when a job with that id exists already.</summary>
    public Task<bool> TryCreateJobAsync(BackupJob job, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<BackupJob?> GetJobAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();
    /// <summary>Read-modify-write with the row's ETag, retried on conflict. Throws KeyNotFoundException when the job does not exist.</summary>
    public Task<BackupJob> UpdateJobAsync(string id, Func<BackupJob, BackupJob> change, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<Page<BackupJob>> ListJobsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) => throw new NotImplementedException();

    // --- backups ---
    /// <summary>Insert or replace (recording is idempotent).</summary>
    public Task UpsertBackupAsync(BackupRecord backup, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<BackupRecord?> GetBackupAsync(string id, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<Page<BackupRecord>> ListBackupsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken) => throw new NotImplementedException();
}
