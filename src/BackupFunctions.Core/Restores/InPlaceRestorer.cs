using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The steps of a restore into live targets, shared by the restore orchestration (one activity per step) and
/// <c>backupctl restore --in-place</c>: <see cref="ProveAsync"/> → <see cref="StageFilesAsync"/> →
/// <see cref="SwapFiles"/> → <see cref="RestoreDatabaseAsync"/> → <see cref="VerifyFilesAsync"/> →
/// <see cref="Complete"/>; on any failure or cancel after the swap began, <see cref="RollbackFiles"/> (and, when the
/// database had already committed, <see cref="RestoreDatabaseAsync"/> of the pre-restore backup). Every step is
/// idempotent and reads what it needs again (manifest, key); nothing here knows about the catalog or the Functions host.
/// </summary>
/// <remarks>
/// What is restored follows from the target and the backup alone, the same way in every step: files when the target has
/// a site root and the items (if any) hold a glob; the database when the target has one and the items (if any) name a
/// table. A target that asks for a part the backup does not have is refused by every step.
/// </remarks>
public sealed class InPlaceRestorer(IKeyEncryptionKey? keyEncryptionKey, PostgresToolsOptions tools, ILogger<InPlaceRestorer> logger)
{
    /// <summary>Progress is reported after at least this many more stored bytes were read (and at the end).</summary>
    private const long ProgressStep = 4L * 1024 * 1024;

    /// <summary>
    /// Step 1, before anything live changes: the manifest (MAC), every part needed present with its stored size, the
    /// database part proven end to end (hash, AEAD, decompression); the targets checked (a non-empty database with
    /// <see cref="InPlaceRestoreTarget.OverwriteExisting"/> false, selected tables missing from the backup, a part
    /// restored that the backup does not have). The files volume is proven by <see cref="StageFilesAsync"/>, which
    /// extracts it only into staging.
    /// </summary>
    /// <exception cref="IntegrityException">A part is missing or damaged.</exception>
    /// <exception cref="ArgumentException">The targets do not fit the backup (the message starts with the field's name).</exception>
    public async Task<InPlaceRestoreProof> ProveAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.SiteRoot is null && target.SiteTarget is null && target.Database is null)
            throw new ArgumentException("restoreFiles: nothing to restore: give a site root, a database or both.", nameof(target));
        _ = Selection(target.Items);
        if (target.SiteTarget is not null)
        {
            _ = RemoteFileRestore(target);
        }
        else if (target.SiteRoot is not null)
        {
            // Checks the job id, site root, components and items as the files steps will see them; touches nothing.
            _ = FileRestore(target);
        }

        return await WithManifestAsync(target, async (manifest, dataKey) =>
        {
            await PartPresence.EnsureAllPresentAsync(target.Store, target.Folder, manifest, cancellationToken);
            var plan = Plan(target, manifest);
            if (!plan.Files && !plan.Database)
                throw new ArgumentException("selectiveItems: the items select nothing the targets restore (globs need a site root, table: items a database).", nameof(target));
            long storedBytes = 0, fileCount = 0, fileBytes = 0;
            if (plan.Files)
            {
                // An incremental backup's referenced backups are opened and checked here too (manifest, key, MAC,
                // listing, presence), so that a missing one fails the proof, before anything live changes.
                using var referenced = await ReferencedBackups.OpenAsync(target.Store, target.Folder, manifest, keyEncryptionKey, target.AllowUnencrypted, cancellationToken);
                storedBytes += Single(manifest, ObjectNames.Index).StoredSize + new BackupVolumes(target.Store, target.Folder, manifest, dataKey, referenced).Parts.Sum(v => v.StoredSize);
                fileCount = manifest.Statistics.Files;
                fileBytes = manifest.Statistics.FilesBytes;
            }

            if (plan.Database)
            {
                var database = target.Database!;
                if (!target.OverwriteExisting
                    && await new PostgresRestorer(tools).DatabaseExistsAsync(database, cancellationToken)
                    && !await new PostgresInPlaceRestorer(tools).IsEmptyAsync(database, cancellationToken))
                {
                    throw new ArgumentException(
                        $"overwriteExisting: the database '{database.Database}' is not empty; restoring over it needs overwriteExisting true.", nameof(target));
                }

                if (plan.Selective && await new PostgresRestorer(tools).DatabaseExistsAsync(database, cancellationToken)
                    && await new PostgresInPlaceRestorer(tools).ViewsReadingAsync(database, [.. plan.Tables.Select(t => t.Table)], cancellationToken) is { Count: > 0 } views)
                {
                    throw new ArgumentException(
                        $"selectiveItems: {string.Join("; ", views.Take(5))}: a selective restore cannot replace a table a view depends on; "
                        + "restore the whole database (type database), or leave the table out.", nameof(target));
                }

                var dump = Single(manifest, ObjectNames.Database);
                await PartReader.VerifyAsync(target.Store, target.Folder + dump.Name, manifest.BackupId, dump, manifest, dataKey, cancellationToken);
                storedBytes += dump.StoredSize;
                logger.LogInformation("Backup {BackupId}: database part verified", manifest.BackupId);
            }

            return new InPlaceRestoreProof(plan.Files, plan.Database, storedBytes, fileCount, plan.Tables, fileBytes);
        }, cancellationToken);
    }

    /// <summary>
    /// Step 2: the files volumes into staging beside the live components, <see cref="InPlaceRestoreTarget.MaxParallelVolumes"/>
    /// at a time (<see cref="InPlaceFileRestore.StageAsync(BackupVolumes, int, IProgress{ArchiveProgress}?, CancellationToken)"/>);
    /// null when no files are restored.
    /// </summary>
    /// <param name="bytesRead">Stored bytes read so far (progress), reported every few MiB.</param>
    /// <param name="extracted">Files and links written into staging so far, and their bytes (progress), reported after each entry (null: not reported).</param>
    public async Task<InPlaceRestoreCounts?> StageFilesAsync(
        InPlaceRestoreTarget target, IProgress<long>? bytesRead, IProgress<ArchiveProgress>? extracted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!WantsFiles(target))
            return null;

        return await WithManifestAsync(target, async (manifest, dataKey) =>
        {
            if (!Plan(target, manifest).Files)
                return null;
            if (target.SiteTarget is not null)
            {
                using var remoteReferenced = await ReferencedBackups.OpenAsync(target.Store, target.Folder, manifest, keyEncryptionKey, target.AllowUnencrypted, cancellationToken);
                IBackupStore remoteStore = bytesRead is null ? target.Store : new ProgressReadingStore(target.Store, bytesRead, ProgressStep);
                var staged = await RemoteFileRestore(target).StageAsync(new BackupVolumes(remoteStore, target.Folder, manifest, dataKey, remoteReferenced), extracted, cancellationToken);
                logger.LogInformation("Backup {BackupId}: staged {Components} in the site's source for job {JobId}: {Created} to create, {Overwritten} to overwrite, {Deleted} to delete, {Skipped} skipped",
                    manifest.BackupId, string.Join(", ", staged.Components), target.JobId, staged.Created, staged.Overwritten, staged.Deleted, staged.Skipped);
                return staged;
            }
            // A restore elsewhere may name a folder that does not exist yet; in place it exists.
            Directory.CreateDirectory(target.SiteRoot!);
            var restore = FileRestore(target);
            IBackupStore store = bytesRead is null ? target.Store : new ProgressReadingStore(target.Store, bytesRead, ProgressStep);
            // Every volume and the index are read to their ends and checked inside the stage, which removes its staging
            // on any failure: nothing live was touched, and no retry may use it.
            using var referenced = await ReferencedBackups.OpenAsync(target.Store, target.Folder, manifest, keyEncryptionKey, target.AllowUnencrypted, cancellationToken);
            var counts = await restore.StageAsync(
                new BackupVolumes(store, target.Folder, manifest, dataKey, referenced), Math.Max(1, target.MaxParallelVolumes), extracted, cancellationToken);

            logger.LogInformation("Backup {BackupId}: staged {Components} for job {JobId}: {Created} to create, {Overwritten} to overwrite, {Deleted} to delete, {Skipped} skipped",
                manifest.BackupId, string.Join(", ", counts.Components), target.JobId, counts.Created, counts.Overwritten, counts.Deleted, counts.Skipped);
            return counts;
        }, cancellationToken);
    }

    /// <summary>Step 3: the staged components swapped in (<see cref="InPlaceFileRestore.Swap"/>); nothing when no files are restored.</summary>
    public void SwapFiles(InPlaceRestoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!WantsFiles(target))
            return;
        FileRestore(target).Swap();
        logger.LogInformation("Restore job {JobId}: staged components swapped into {SiteRoot}", target.JobId, target.SiteRoot);
    }

    /// <summary>
    /// Step 3 for any site: <see cref="SwapFiles"/> for a local folder, <see cref="RemoteInPlaceFileRestore.SwapAsync"/>
    /// through <see cref="InPlaceRestoreTarget.SiteTarget"/> otherwise.
    /// </summary>
    public async Task SwapFilesAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.SiteTarget is null)
        {
            SwapFiles(target);
            return;
        }
        if (!WantsFiles(target))
            return;
        await RemoteFileRestore(target).SwapAsync(cancellationToken);
        logger.LogInformation("Restore job {JobId}: staged components swapped into the site's source", target.JobId);
    }

    /// <summary>
    /// Step 4: the database replaced atomically by the backup's dump (all user tables, or only the selected ones) and
    /// the restored row counts compared with the manifest's. A database that does not exist is created first (a
    /// restore elsewhere). Null when no database is restored. On <see cref="PostgresToolException"/> nothing was committed.
    /// </summary>
    /// <exception cref="IntegrityException">Committed, but a table's row count differs from the manifest's.</exception>
    public async Task<IReadOnlyList<TableRowCount>?> RestoreDatabaseAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Database is not { } database)
            return null;

        return await WithManifestAsync<IReadOnlyList<TableRowCount>?>(target, async (manifest, dataKey) =>
        {
            var plan = Plan(target, manifest);
            if (!plan.Database)
                return null;
            var part = Single(manifest, ObjectNames.Database);
            Task<Stream> OpenDump(CancellationToken ct) =>
                PartReader.OpenAsync(target.Store, target.Folder + part.Name, manifest.BackupId, part, manifest, dataKey, ct);

            var databases = new PostgresRestorer(tools);
            var created = false;
            if (!await databases.DatabaseExistsAsync(database, cancellationToken))
            {
                // A restore elsewhere: an empty database first, then the same single-transaction restore as in place.
                await databases.CreateAsync(database, cancellationToken);
                created = true;
            }

            DatabaseSourceInfo restored;
            try
            {
                var inPlace = new PostgresInPlaceRestorer(tools);
                if (plan.Selective)
                {
                    restored = await inPlace.RestoreTablesAsync(database, OpenDump, [.. plan.Tables.Select(t => t.Table)], target.LockTimeout, cancellationToken);
                }
                else
                {
                    await using var dump = await OpenDump(cancellationToken);
                    restored = await inPlace.RestoreAsync(database, dump, target.LockTimeout, cancellationToken);
                }
            }
            catch when (created)
            {
                // Nothing of the backup was committed into the database this step created: it goes again.
                try
                {
                    await databases.DropAsync(database);
                }
                catch (Exception dropError) when (dropError is Npgsql.NpgsqlException or PostgresToolException)
                {
                    logger.LogWarning("Restore job {JobId}: the new database {Database} could not be dropped after the failed restore: {Error}",
                        target.JobId, database.Database, dropError.Message);
                }
                throw;
            }

            // Prove the restore: each restored table must hold the rows the backup recorded at dump time.
            var actual = restored.Tables.ToDictionary(t => t.Table, t => t.Rows, StringComparer.Ordinal);
            foreach (var table in plan.Tables)
            {
                if (!actual.TryGetValue(table.Table, out var rows) || rows != table.Rows)
                    throw new IntegrityException(ObjectNames.Database,
                        $"table {table.Table} has {(actual.ContainsKey(table.Table) ? rows : 0)} rows after the restore, the backup recorded {table.Rows}");
            }

            logger.LogInformation("Backup {BackupId}: database {Database} restored ({Tables} tables checked)", manifest.BackupId, database.Database, plan.Tables.Count);
            IReadOnlyList<TableRowCount> result = plan.Selective
                ? [.. restored.Tables.Where(t => plan.Tables.Any(p => p.Table == t.Table))]
                : restored.Tables;
            return result;
        }, cancellationToken);
    }

    /// <summary>Step 5 (skippable): every restored file and link checked against the index (<see cref="InPlaceFileRestore.VerifyAsync"/>).</summary>
    /// <param name="progress">Files and links checked so far, and their bytes, reported after each entry (null: not reported).</param>
    public async Task<InPlaceRestoreCounts?> VerifyFilesAsync(InPlaceRestoreTarget target, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!WantsFiles(target))
            return null;

        return await WithManifestAsync(target, async (manifest, dataKey) =>
        {
            if (!Plan(target, manifest).Files)
                return null;
            var indexPart = Single(manifest, ObjectNames.Index);
            await using var indexStream = await PartReader.OpenAsync(
                target.Store, target.Folder + indexPart.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken);
            var counts = target.SiteTarget is not null
                ? await RemoteFileRestore(target).VerifyAsync(FileIndex.ReadEntriesAsync(indexStream, cancellationToken), progress, cancellationToken)
                : await FileRestore(target).VerifyAsync(FileIndex.ReadEntriesAsync(indexStream, cancellationToken), progress, cancellationToken);
            // The comparison stops after the last restored entry; the rest of the index is read for its final check.
            await indexStream.CopyToAsync(Stream.Null, cancellationToken);
            logger.LogInformation("Restore job {JobId}: {Verified} restored files and links match the backup's index", target.JobId, counts.Verified);
            return counts;
        }, cancellationToken);
    }

    /// <summary>Step 6: set-aside folders and staging removed (<see cref="InPlaceFileRestore.Complete"/>); from here on no rollback.</summary>
    public InPlaceRestoreCounts? Complete(InPlaceRestoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!WantsFiles(target))
            return null;
        var counts = FileRestore(target).Complete();
        logger.LogInformation("Restore job {JobId}: completed, set-aside folders removed", target.JobId);
        return counts;
    }

    /// <summary>Step 6 for any site: <see cref="Complete"/> for a local folder, <see cref="RemoteInPlaceFileRestore.CompleteAsync"/> otherwise.</summary>
    public async Task<InPlaceRestoreCounts?> CompleteAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.SiteTarget is null)
            return Complete(target);
        if (!WantsFiles(target))
            return null;
        var counts = await RemoteFileRestore(target).CompleteAsync(cancellationToken);
        logger.LogInformation("Restore job {JobId}: completed in the site's source, set-aside components removed", target.JobId);
        return counts;
    }

    /// <summary>
    /// The rollback for any site: <see cref="RollbackFiles"/> for a local folder, <see cref="RemoteInPlaceFileRestore.RollbackAsync"/>
    /// otherwise. Returns false when the live site could not be put back (a target without folder renames once the swap
    /// began writing): the pre-restore backup is then the way back, and the warning logged says so.
    /// </summary>
    public async Task<bool> RollbackFilesAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.SiteTarget is null)
        {
            RollbackFiles(target);
            return true;
        }
        var reverted = await RemoteFileRestore(target).RollbackAsync(cancellationToken);
        if (reverted)
            logger.LogInformation("Restore job {JobId}: files rolled back in the site's source", target.JobId);
        else
            logger.LogWarning("Restore job {JobId}: the site's source cannot rename folders and the swap had begun overwriting files: they were not put back; restore the pre-restore backup to undo the restore", target.JobId);
        return reverted;
    }

    /// <summary>The live components put back as before the swap (<see cref="InPlaceFileRestore.Rollback"/>); safe in any state before <see cref="Complete"/>.</summary>
    public void RollbackFiles(InPlaceRestoreTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        // Without a site root (or before it was created) nothing of the files was ever staged.
        if (target.SiteRoot is null || !Directory.Exists(target.SiteRoot))
            return;
        FileRestore(target).Rollback();
        logger.LogInformation("Restore job {JobId}: files rolled back in {SiteRoot}", target.JobId, target.SiteRoot);
    }

    /// <summary>What one target restores from one backup; the same in every step.</summary>
    private sealed record RestorePlan(bool Files, bool Database, bool Selective, IReadOnlyList<TableRowCount> Tables);

    private static RestorePlan Plan(InPlaceRestoreTarget target, BackupManifest manifest)
    {
        var selective = target.Items is { Count: > 0 };
        var files = WantsFiles(target);
        if (files)
        {
            if (!manifest.Objects.Any(o => o.Kind == ManifestVolumes.FilesKind))
                throw new ArgumentException($"restoreFiles: backup {manifest.BackupId} holds no site files.", nameof(target));
        }

        IReadOnlyList<TableRowCount> tables = [];
        var database = false;
        if (target.Database is not null)
        {
            var dumped = manifest.Database?.Tables ?? [];
            if (!selective)
            {
                database = true;
                tables = dumped;
            }
            else
            {
                tables = SelectedTables(target.Items!, dumped, manifest.BackupId);
                database = tables.Count > 0;
            }
            if (database && !manifest.Objects.Any(o => o.Name == ObjectNames.Database))
                throw new ArgumentException($"restoreDatabase: backup {manifest.BackupId} holds no database.", nameof(target));
        }

        return new RestorePlan(files, database, selective, tables);
    }

    /// <summary>The backup's tables the <c>table:</c> items name, as the manifest names them; each item must name one.</summary>
    private static List<TableRowCount> SelectedTables(IReadOnlyList<string> items, IReadOnlyList<TableRowCount> dumped, string backupId)
    {
        var selected = new List<TableRowCount>();
        foreach (var item in items.Where(i => i.StartsWith(RestoreSelection.TablePrefix, StringComparison.Ordinal)))
        {
            var wanted = RestoreSelection.SplitTable(item[RestoreSelection.TablePrefix.Length..])
                ?? throw new ArgumentException($"selectiveItems: '{item}' is not table:schema.name.", nameof(items));
            var table = dumped.FirstOrDefault(t => RestoreSelection.SplitTable(t.Table) == wanted)
                ?? throw new ArgumentException($"selectiveItems: table {wanted.Schema}.{wanted.Name} is not in backup {backupId}.", nameof(items));
            if (!selected.Contains(table))
                selected.Add(table);
        }
        return selected;
    }

    /// <summary>Files are restored when there is a site root and no items, or items that hold a glob.</summary>
    private static bool WantsFiles(InPlaceRestoreTarget target) =>
        (target.SiteRoot is not null || target.SiteTarget is not null) && (target.Items is not { Count: > 0 } || Selection(target.Items).AnyFiles);

    private static RestoreSelection Selection(IReadOnlyList<string>? items)
    {
        try
        {
            return RestoreSelection.Parse(items);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException("selectiveItems: " + StripField(ex.Message), nameof(items), ex);
        }
    }

    private static InPlaceFileRestore FileRestore(InPlaceRestoreTarget target)
    {
        // Parsed here first so that a bad item is named by the API's field, not InPlaceFileRestore's parameter.
        if (target.Items is { Count: > 0 })
            _ = Selection(target.Items);
        return new InPlaceFileRestore(new InPlaceRestoreRequest(target.JobId, target.SiteRoot!, target.OverwriteExisting, target.Items, target.Components));
    }

    private static RemoteInPlaceFileRestore RemoteFileRestore(InPlaceRestoreTarget target)
    {
        if (target.Items is { Count: > 0 })
            _ = Selection(target.Items);
        return new RemoteInPlaceFileRestore(target.SiteTarget!, target.JobId, target.OverwriteExisting, target.Items, target.Components);
    }

    private static string StripField(string message)
    {
        var colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon is > 0 and < 20 ? message[(colon + 2)..] : message;
    }

    /// <summary>Reads the manifest and the data key again (every step does), checks the MAC, runs <paramref name="body"/>, zeroes the key.</summary>
    private async Task<T> WithManifestAsync<T>(InPlaceRestoreTarget target, Func<BackupManifest, byte[], Task<T>> body, CancellationToken cancellationToken)
    {
        // Capped: a destination cannot make the restore hold more than StoredManifest.MaxBytes.
        var (unverified, _) = await StoredManifest.ReadAsync(target.Store, target.Folder, cancellationToken);
        var dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, target.AllowUnencrypted, cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, target.BackupId);
            return await body(manifest, dataKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static StoredPart Single(BackupManifest manifest, string name)
        => manifest.Objects.SingleOrDefault(o => o.Name == name)
           ?? throw new IntegrityException(ObjectNames.Manifest, $"the manifest lists no {name}");
}
