using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Restores a backup from a destination alone (no catalog needed): manifest (capped reader) → unwrap key → check the
/// manifest's MAC → every listed part present with its stored size → prove the database part end to end (hash, AEAD,
/// decompression, plainSize) → files into an empty folder through a private staging folder that replaces it only once
/// every byte checked out (the files volumes <see cref="RestoreRequest.MaxParallelVolumes"/> at a time, see
/// <see cref="BackupVolumes"/>; an incremental backup's unchanged files from the earlier backups it references, see
/// <see cref="ReferencedBackups"/>) → the database into a new database → compare the restored row counts with the manifest.
/// Nothing reaches a target unless the parts it comes from are intact; every damage (a missing part included) is an
/// <see cref="IntegrityException"/> naming the object.
/// </summary>
public sealed class RestoreRunner(
    IKeyEncryptionKey? keyEncryptionKey,
    PostgresRestorer restorer,
    PostgresDumper dumper,
    ILogger<RestoreRunner> logger)
{
    public async Task<RestoreResult> RestoreAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        var folder = request.Folder;
        await CheckTargetsAsync(request, cancellationToken);

        // Capped: a destination cannot make the restore hold more than StoredManifest.MaxBytes.
        var (unverified, _) = await StoredManifest.ReadAsync(request.Store, folder, cancellationToken);
        // ManifestFile.Read lets a manifest without key envelope (and without MAC) through only for encryption none.
        var dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, request.AllowUnencrypted, cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, request.BackupId);
            await PartPresence.EnsureAllPresentAsync(request.Store, folder, manifest, cancellationToken);

            // The dump streams straight into pg_restore, so its part is proven end to end before anything is written.
            // The files need no second pass: they are extracted into a staging folder that replaces the target only
            // after every chunk, the stored hash and every file hash checked out — a bad part leaves the target as it was.
            if (request.TargetDatabase is not null)
            {
                var dump = Single(manifest, ObjectNames.Database);
                await PartReader.VerifyAsync(request.Store, folder + dump.Name, manifest.BackupId, dump, manifest, dataKey, cancellationToken);
                logger.LogInformation("Backup {BackupId}: database part verified", manifest.BackupId);
            }

            var files = request.TargetDirectory is { } dir
                ? await RestoreFilesAsync(request, folder, manifest, dataKey, dir, cancellationToken)
                : new FilesRestored(0, 0, [], 0);

            IReadOnlyList<TableRowCount> tables = [];
            if (request.TargetDatabase is { } db)
            {
                tables = await RestoreDatabaseAsync(request, folder, manifest, dataKey, db, cancellationToken);
            }

            return new RestoreResult(manifest.BackupId, files.Files, files.Bytes, request.TargetDatabase is not null, tables)
            {
                OutsideLinks = files.OutsideLinks,
                OutsideLinkCount = files.OutsideLinkCount,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private async Task CheckTargetsAsync(RestoreRequest request, CancellationToken cancellationToken)
    {
        if (request.TargetDirectory is null && request.TargetDatabase is null)
            throw new ArgumentException("Nothing to restore: give a target folder, a target database or both.", nameof(request));
        if (request.TargetDirectory is { } dir && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new InvalidOperationException($"The target folder '{dir}' is not empty; restore into an empty or new folder.");
        if (request.TargetDatabase is { } db && await restorer.DatabaseExistsAsync(db, cancellationToken))
            throw new InvalidOperationException($"The target database '{db.Database}' already exists; restore into a new database.");
    }

    private sealed record FilesRestored(long Files, long Bytes, IReadOnlyList<OutsideLink> OutsideLinks, long OutsideLinkCount);

    private async Task<FilesRestored> RestoreFilesAsync(
        RestoreRequest request, string folder, BackupManifest manifest, byte[] dataKey, string targetDirectory, CancellationToken cancellationToken)
    {
        // An incremental backup's unchanged files are in earlier backups' volumes: each of those backups is opened
        // (manifest, own key, MAC) and its listing of each volume checked against the reference before anything is read.
        using var referenced = await ReferencedBackups.OpenAsync(request.Store, folder, manifest, keyEncryptionKey, request.AllowUnencrypted, cancellationToken);
        var volumes = new BackupVolumes(request.Store, folder, manifest, dataKey, referenced);
        using var extraction = SiteExtraction.Begin(targetDirectory);
        // Each volume is a standalone tar with its own entries of the index: several are read and extracted into the
        // one staging tree at a time, which replaces the target only once every volume checked out.
        await volumes.ForEachAsync(extraction.StagingDirectory, Math.Max(1, request.MaxParallelVolumes),
            (group, tar, index, ct) => extraction.AddVolumeAsync(tar, group, index, request.Include, extraction.Reuse, progress: null, ct),
            cancellationToken);
        var done = extraction.Totals;

        extraction.Complete();
        logger.LogInformation("Backup {BackupId}: {Files} files ({Bytes} bytes) restored to {Target}", manifest.BackupId, done.Files, done.Bytes, targetDirectory);
        if (extraction.OutsideLinkCount > 0)
        {
            logger.LogWarning("Backup {BackupId}: {Count} restored symbolic links point outside {Target} (restored as they were), e.g. {Path} -> {LinkTarget}",
                manifest.BackupId, extraction.OutsideLinkCount, targetDirectory, extraction.OutsideLinks[0].Path, extraction.OutsideLinks[0].Target);
        }
        return new FilesRestored(done.Files, done.Bytes, extraction.OutsideLinks, extraction.OutsideLinkCount);
    }

    private async Task<IReadOnlyList<TableRowCount>> RestoreDatabaseAsync(
        RestoreRequest request, string folder, BackupManifest manifest, byte[] dataKey, PostgresConnectionInfo target, CancellationToken cancellationToken)
    {
        var part = Single(manifest, ObjectNames.Database);
        await using (var dump = await PartReader.OpenAsync(request.Store, folder + part.Name, manifest.BackupId, part, manifest, dataKey, cancellationToken))
        {
            await restorer.RestoreAsync(target, dump, cancellationToken);
        }

        // Prove the restore: the row count of every table must match what the backup recorded at dump time.
        var restored = await dumper.DescribeAsync(target, cancellationToken);
        if (manifest.Database is { } expected)
        {
            var actual = restored.Tables.ToDictionary(t => t.Table, t => t.Rows, StringComparer.Ordinal);
            foreach (var table in expected.Tables)
            {
                if (!actual.TryGetValue(table.Table, out var rows) || rows != table.Rows)
                    throw new IntegrityException(ObjectNames.Database,
                        $"table {table.Table} has {(actual.ContainsKey(table.Table) ? rows : 0)} rows after restore, the backup recorded {table.Rows}");
            }
        }
        logger.LogInformation("Backup {BackupId}: database restored into {Database}, {Tables} tables checked", manifest.BackupId, target.Database, restored.Tables.Count);
        return restored.Tables;
    }

    private static StoredPart Single(BackupManifest manifest, string name)
        => manifest.Objects.SingleOrDefault(o => o.Name == name)
           ?? throw new IntegrityException(ObjectNames.Manifest, $"the manifest lists no {name}");
}
