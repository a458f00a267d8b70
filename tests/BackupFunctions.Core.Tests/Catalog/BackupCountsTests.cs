using System.Globalization;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Catalog;

/// <summary>
/// The per-config counter rows of the Backups table: kept in step with every insert, status change and delete (in
/// the same transaction), never listed as backups, and counted once from the rows for a table written before them.
/// </summary>
public sealed class BackupCountsTests : CatalogTestBase
{
    [Fact]
    public async Task Counts_follow_inserts_status_changes_repeats_and_deletes()
    {
        var a1 = NewBackup("cfg-a", At("2026-01-01T01:00:00Z"));
        var a2 = NewBackup("cfg-a", At("2026-01-02T01:00:00Z")) with { Type = BackupTypes.Files };
        var b1 = NewBackup("cfg-b", At("2026-01-03T01:00:00Z"));
        foreach (var backup in new[] { a1, a2, b1, a1 })
            await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);

        Assert.Equal(2, await CountAsync(new BackupListFilter("cfg-a")));
        Assert.Equal(1, await CountAsync(new BackupListFilter("cfg-a", BackupTypes.Files)));
        Assert.Equal(3, await CountAsync(new BackupListFilter()));
        Assert.Equal(2, await CountAsync(new BackupListFilter(Type: BackupTypes.Full)));

        await Catalog.Backups.UpdateAsync(a1.Id, b => b with { Status = BackupStatuses.VerificationFailed }, CancellationToken.None);
        Assert.Equal(1, await CountAsync(new BackupListFilter("cfg-a", Statuses: [BackupStatuses.Completed])));
        Assert.Equal(1, await CountAsync(new BackupListFilter("cfg-a", Statuses: [BackupStatuses.VerificationFailed])));

        Assert.True(await Catalog.Backups.DeleteAsync(a1.Id, CancellationToken.None));
        Assert.False(await Catalog.Backups.DeleteAsync(a1.Id, CancellationToken.None));
        Assert.Equal(1, await CountAsync(new BackupListFilter("cfg-a")));
        Assert.Equal(2, await CountAsync(new BackupListFilter()));
        Assert.Null(await Catalog.Backups.CountAsync(new BackupListFilter(From: At("2026-01-01T00:00:00Z")), CancellationToken.None));

        // The counter rows share the partition but are never backups.
        var all = new List<BackupRecord>();
        await foreach (var backup in Catalog.Backups.AllAsync(CancellationToken.None))
            all.Add(backup);
        Assert.Equal([b1.Id, a2.Id], all.Select(b => b.Id));
        var page = await Catalog.Backups.ListAsync(100, null, CancellationToken.None);
        Assert.Equal([b1.Id, a2.Id], page.Items.Select(b => b.Id));
        Assert.Null(await Catalog.Backups.GetAsync("~c~cfg-a", CancellationToken.None));
    }

    [Fact]
    public async Task A_table_written_before_counters_is_counted_once_from_its_rows()
    {
        var rows = new[]
        {
            NewBackup("cfg-a", At("2026-01-01T01:00:00Z")),
            NewBackup("cfg-a", At("2026-01-02T01:00:00Z")) with { Status = BackupStatuses.Deleting },
            NewBackup("cfg-b", At("2026-01-03T01:00:00Z")),
        };
        foreach (var backup in rows)
            await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        // As an earlier version left it: the backup rows only.
        await foreach (var row in BackupsTable.QueryAsync<TableEntity>(e => e.RowKey.CompareTo("~") >= 0))
            await BackupsTable.DeleteEntityAsync(row.PartitionKey, row.RowKey);

        // A fresh catalog, as a new version of the app starting.
        var catalog = new BackupCatalog(Service, Prefix, Time);
        Assert.Equal(2, await catalog.Backups.CountAsync(new BackupListFilter("cfg-a"), CancellationToken.None));
        Assert.Equal(1, await catalog.Backups.CountAsync(new BackupListFilter("cfg-a", Statuses: [BackupStatuses.Deleting]), CancellationToken.None));
        Assert.Equal(3, await catalog.Backups.CountAsync(new BackupListFilter(), CancellationToken.None));

        // From then on the counters move with the rows, and counting is not repeated.
        await catalog.Backups.DeleteAsync(rows[0].Id, CancellationToken.None);
        Assert.Equal(2, await new BackupCatalog(Service, Prefix, Time).Backups.CountAsync(new BackupListFilter(), CancellationToken.None));
    }

    private Task<long?> CountAsync(BackupListFilter filter) => Catalog.Backups.CountAsync(filter, CancellationToken.None);

    private static BackupRecord NewBackup(string configId, DateTimeOffset slot)
    {
        var id = JobIds.ForSchedule(configId, slot);
        return new BackupRecord
        {
            Id = id,
            ConfigId = configId,
            JobId = id,
            Type = BackupTypes.Full,
            CreatedAt = slot,
            CompletedAt = slot.AddMinutes(2),
            SizeBytes = 1000,
            Checksum = new string('a', 64),
            CompressionRatio = 2,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics { Files = 1 },
            Locations = [new BackupLocation("local", "/mnt/backups", $"site/backups/{id}/manifest.json", Primary: true)],
        };
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
