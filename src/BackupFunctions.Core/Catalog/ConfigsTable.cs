using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupConfigs table: one row per config, id <c>cfg-</c> + inverted time + random (<see cref="CatalogIds"/>), so
/// a plain scan lists newest first. The API replaces a config (<see cref="ReplaceAsync"/>, guarded by the version the
/// editor read) or deletes it; the scheduler rewrites its next run alone, which does not change the config's version.
/// </summary>
public sealed class ConfigsTable
{
    public const string TableName = "BackupConfigs";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal ConfigsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>
    /// Stores a new config under a new id, created and updated now, with its next scheduled run
    /// (<see cref="StoredBackupConfig.NextRunAt"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The config's JSON is larger than a table column can hold, or its schedule is invalid (validate it first).
    /// </exception>
    public async Task<StoredBackupConfig> CreateAsync(BackupConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var now = _time.GetUtcNow();
        var stored = new StoredBackupConfig(CatalogIds.New(CatalogIds.ConfigPrefix, now), config, now, now)
        {
            NextRunAt = config.Enabled ? ScheduleCalculator.NextSlot(config.Schedule, now) : null,
        };
        await _table.AddEntityAsync(CatalogRows.FromConfig(stored), cancellationToken);
        return stored;
    }

    /// <summary>The config, deleted ones too (<see cref="StoredBackupConfig.DeletedAt"/>): their backups still name and restore through them.</summary>
    public async Task<StoredBackupConfig?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.ConfigPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToConfig(row, _table.Name);
    }

    /// <summary>One page of configs not deleted, newest first (a page may hold fewer than asked where deleted ones were).</summary>
    public async Task<Page<StoredBackupConfig>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var page = await CatalogTables.ListAsync(_table, CatalogRows.ConfigPartition, pageSize, continuationToken, CatalogRows.ToConfig, cancellationToken);
        return page with { Items = [.. page.Items.Where(c => c.DeletedAt is null)] };
    }

    /// <summary>Every config not deleted, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<StoredBackupConfig> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(CatalogTables.PartitionFilter(CatalogRows.ConfigPartition), cancellationToken: cancellationToken))
        {
            var config = CatalogRows.ToConfig(row, _table.Name);
            if (config.DeletedAt is null)
                yield return config;
        }
    }

    /// <summary>
    /// Records the config's next scheduled run (null: none), leaving every other column as it is; false when the config
    /// no longer exists, or is deleted (a deleted config has no next run).
    /// </summary>
    public Task<bool> SetNextRunAtAsync(string id, DateTimeOffset? nextRunAt, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        // The row is replaced with its ETag rather than merged: a merge cannot remove a column (null is not sent).
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.ConfigPartition, id, row =>
        {
            // A scheduler that read the config before a delete marked it must not give the deleted config a next run.
            if (row is null || (row.GetDateTimeOffset(CatalogRows.DeletedAtColumn) is not null && nextRunAt is not null))
                return RowChange<bool>.Keep(false);
            if (row.GetDateTimeOffset(CatalogRows.NextRunAtColumn) == nextRunAt)
                return RowChange<bool>.Keep(true);
            if (nextRunAt is { } next)
                row[CatalogRows.NextRunAtColumn] = next;
            else
                row.Remove(CatalogRows.NextRunAtColumn);
            return RowChange<bool>.Write(row, true);
        }, cancellationToken);
    }

    /// <summary>
    /// Replaces the config of <paramref name="id"/> with <paramref name="config"/>, updated now and its next run worked
    /// out again (none while paused), only if it is still at the version the editor read: <paramref name="ifMatch"/>
    /// (<see cref="StoredBackupConfig.Version"/>, or <c>*</c>) and/or <paramref name="ifUpdatedAt"/>; with neither, the
    /// last editor wins. A job already running keeps the config its plan fixed when it started.
    /// </summary>
    /// <returns>The config as stored now (<see cref="ConfigChangeOutcome.Changed"/>), or as it is when the version is stale.</returns>
    public Task<(ConfigChangeOutcome Outcome, StoredBackupConfig? Stored)> ReplaceAsync(
        string id, BackupConfig config, string? ifMatch, DateTimeOffset? ifUpdatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        CatalogTables.RequireKey(id, nameof(id));
        // Decided inside the ETag loop: a scheduler's NextRunAt write between the read and the write only repeats the
        // decision, while an editor's write makes the version stale.
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.ConfigPartition, id, row =>
        {
            var current = row is null ? null : CatalogRows.ToConfig(row, _table.Name);
            if (current is null || current.DeletedAt is not null)
                return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Keep((ConfigChangeOutcome.NotFound, null));
            if (!current.IsAt(ifMatch, ifUpdatedAt))
                return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Keep((ConfigChangeOutcome.Stale, current));
            var now = _time.GetUtcNow();
            var replaced = current with
            {
                Config = config,
                // Strictly later than the version read, so the ETag changes even when the clock did not move.
                UpdatedAt = now > current.UpdatedAt ? now : current.UpdatedAt.AddTicks(1),
                NextRunAt = config.Enabled ? ScheduleCalculator.NextSlot(config.Schedule, now) : null,
            };
            return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Write(CatalogRows.FromConfig(replaced), (ConfigChangeOutcome.Changed, replaced));
        }, cancellationToken);
    }

    /// <summary>
    /// Marks the config deleted if it is at the version given (as <see cref="ReplaceAsync"/>): it no longer runs, is no
    /// longer listed and answers 404 through the API, but its row stays, so the backups it leaves are still listed and
    /// restorable under its id and name (<see cref="GetAsync"/> still finds it, with <see cref="StoredBackupConfig.DeletedAt"/>).
    /// </summary>
    public Task<(ConfigChangeOutcome Outcome, StoredBackupConfig? Stored)> MarkDeletedAsync(
        string id, string? ifMatch, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.ConfigPartition, id, row =>
        {
            var current = row is null ? null : CatalogRows.ToConfig(row, _table.Name);
            if (current is null || current.DeletedAt is not null)
                return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Keep((ConfigChangeOutcome.NotFound, null));
            if (!current.IsAt(ifMatch, null))
                return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Keep((ConfigChangeOutcome.Stale, current));
            var deleted = current with { DeletedAt = _time.GetUtcNow(), NextRunAt = null };
            return RowChange<(ConfigChangeOutcome, StoredBackupConfig?)>.Write(CatalogRows.FromConfig(deleted), (ConfigChangeOutcome.Changed, deleted));
        }, cancellationToken);
    }

    /// <summary>
    /// Takes back the mark of a delete that lost the race with a start (<see cref="Backups.JobSlotGuard"/>): the row is
    /// as <paramref name="before"/> again, if it still carries that delete's mark.
    /// </summary>
    public Task UnmarkDeletedAsync(StoredBackupConfig marked, StoredBackupConfig before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marked);
        ArgumentNullException.ThrowIfNull(before);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.ConfigPartition, marked.Id, row =>
        {
            var current = row is null ? null : CatalogRows.ToConfig(row, _table.Name);
            return current is null || current.DeletedAt != marked.DeletedAt
                ? RowChange<bool>.Keep(false)
                : RowChange<bool>.Write(CatalogRows.FromConfig(current with { DeletedAt = null, NextRunAt = before.NextRunAt }), true);
        }, cancellationToken);
    }
}
