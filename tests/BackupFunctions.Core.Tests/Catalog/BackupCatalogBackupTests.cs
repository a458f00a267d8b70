using System.Globalization;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class BackupCatalogBackupTests : CatalogTestBase
{
    [Fact]
    public async Task Upserted_backup_reads_back_with_all_fields()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z"));

        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        var read = await Catalog.Backups.GetAsync(backup.Id, CancellationToken.None);

        Assert.Equivalent(backup, read, strict: true);
        TableEntity raw = await BackupsTable.GetEntityAsync<TableEntity>("backup", backup.Id);
        Assert.Equal(backup.SizeBytes, raw.GetInt64("SizeBytes"));
        Assert.Contains("\"manifestName\":\"site/backups/", raw.GetString("Locations"), StringComparison.Ordinal);
        Assert.Contains("\"databaseDumpBytes\":4096", raw.GetString("Statistics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incremental_reads_back_with_its_base_references_and_comparison()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z")) with
        {
            Type = BackupTypes.Incremental,
            BaseBackupId = "base-1",
            ReferencedBackupIds = ["base-1", "full-0"],
        };
        backup = backup with { Statistics = backup.Statistics with { AddedFiles = 2, ModifiedFiles = 3, UnchangedFiles = 5 } };

        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        var read = (await Catalog.Backups.GetAsync(backup.Id, CancellationToken.None))!;

        Assert.Equal(BackupTypes.Incremental, read.Type);
        Assert.Equal("base-1", read.BaseBackupId);
        Assert.Equal(["base-1", "full-0"], read.ReferencedBackupIds);
        // Every count, zeros included, for the API (the statistics leave zeros out).
        Assert.Equal(new IncrementalCounts(2, 3, 5, 0), read.Comparison);
        TableEntity raw = await BackupsTable.GetEntityAsync<TableEntity>("backup", backup.Id);
        Assert.Equal("base-1", raw.GetString("BaseBackupId"));
        Assert.Equal("[\"base-1\",\"full-0\"]", raw.GetString("ReferencedBackupIds"));
    }

    [Fact]
    public async Task A_row_written_before_references_existed_reads_as_a_backup_that_references_nothing()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z")) with { Type = BackupTypes.Full };
        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        TableEntity raw = await BackupsTable.GetEntityAsync<TableEntity>("backup", backup.Id);
        Assert.False(raw.ContainsKey("ReferencedBackupIds"));
        Assert.False(raw.ContainsKey("BaseBackupId"));

        var read = (await Catalog.Backups.GetAsync(backup.Id, CancellationToken.None))!;

        Assert.Empty(read.ReferencedBackupIds);
        Assert.Null(read.BaseBackupId);
        Assert.Null(read.Comparison);
    }

    [Fact]
    public async Task Upsert_again_replaces_the_row()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z"));
        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        var second = backup with { Status = "verified", Locations = [backup.Locations[0]] };

        await Catalog.Backups.UpsertAsync(second, CancellationToken.None);
        var read = await Catalog.Backups.GetAsync(backup.Id, CancellationToken.None);

        Assert.Equal("verified", read!.Status);
        Assert.Single(read.Locations);
    }

    [Fact]
    public async Task Get_of_a_missing_backup_is_null()
        => Assert.Null(await Catalog.Backups.GetAsync("0000000000000000000-cfg-none", CancellationToken.None));

    [Fact]
    public async Task Delete_removes_the_row_and_says_false_when_there_was_none()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z"));
        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);

        Assert.True(await Catalog.Backups.DeleteAsync(backup.Id, CancellationToken.None));
        Assert.Null(await Catalog.Backups.GetAsync(backup.Id, CancellationToken.None));
        Assert.False(await Catalog.Backups.DeleteAsync(backup.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Backups_list_newest_first_by_their_job_ids()
    {
        var start = At("2026-01-01T02:30:00Z");
        var written = new List<BackupRecord>();
        // Written out of time order: the order of the list comes from the ids, not from insertion.
        foreach (var day in new[] { 3, 0, 4, 1, 2 })
        {
            var backup = NewBackup(start.AddDays(day));
            written.Add(backup);
            await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        }

        var page1 = await Catalog.Backups.ListAsync(3, null, CancellationToken.None);
        var page2 = await Catalog.Backups.ListAsync(3, page1.ContinuationToken, CancellationToken.None);

        Assert.Null(page2.ContinuationToken);
        var listed = page1.Items.Concat(page2.Items).ToList();
        Assert.Equal(written.OrderByDescending(b => b.CreatedAt).Select(b => b.Id), listed.Select(b => b.Id));
    }

    [Fact]
    public async Task Corrupt_locations_json_gives_InvalidDataException_naming_table_and_row()
    {
        var backup = NewBackup(At("2026-02-01T01:30:00Z"));
        await Catalog.Backups.UpsertAsync(backup, CancellationToken.None);
        TableEntity raw = await BackupsTable.GetEntityAsync<TableEntity>("backup", backup.Id);
        raw["Locations"] = "[{\"type\":";
        await BackupsTable.UpsertEntityAsync(raw, TableUpdateMode.Replace);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Catalog.Backups.GetAsync(backup.Id, CancellationToken.None));

        Assert.Contains(Prefix + "Backups", e.Message, StringComparison.Ordinal);
        Assert.Contains(backup.Id, e.Message, StringComparison.Ordinal);
    }

    private static BackupRecord NewBackup(DateTimeOffset slot)
    {
        var id = JobIds.ForSchedule("cfg-a", slot);
        return new BackupRecord
        {
            Id = id,
            ConfigId = "cfg-a",
            JobId = id,
            Type = "incremental",
            CreatedAt = slot,
            CompletedAt = slot.AddMinutes(12),
            SizeBytes = 123_456_789_012,
            Checksum = new string('a', 64),
            CompressionRatio = 2.5,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics
            {
                Files = 10,
                Folders = 3,
                FilesBytes = 2048,
                DatabaseTables = 12,
                DatabaseDumpBytes = 4096,
                OriginalBytes = 6144,
                StoredBytes = 2458,
                CompressionRatio = 2.5,
                DurationSeconds = 720,
            },
            Locations =
            [
                new BackupLocation("azureBlob", "https://acct.blob.core.windows.net/backups", $"site/backups/{id}/manifest.json", Primary: true),
                new BackupLocation("local", "/mnt/backups", $"site/backups/{id}/manifest.json", Primary: false),
            ],
        };
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
