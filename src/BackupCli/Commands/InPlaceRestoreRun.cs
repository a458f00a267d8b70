using System.Security.Cryptography;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl restore --in-place</c>: the steps of <see cref="InPlaceRestorer"/> (the same code the service's restore
/// orchestration runs) in order — prove → pre-restore backup → stage → swap → database → verify → complete — and, on
/// any failure or Ctrl+C once the swap began, the rollback: the set-aside folders put back and, when the database may
/// have been changed, the database restored from the pre-restore backup.
/// </summary>
internal sealed class InPlaceRestoreRun(CliContext context, bool json)
{
    /// <summary>What the command line asked for (checked by <see cref="RestoreCommand"/>).</summary>
    public sealed record Arguments(
        IBackupStore Store,
        DestinationUri Destination,
        string BackupId,
        string? SiteRoot,
        PostgresConnectionInfo? Database,
        IReadOnlyList<string> Items,
        bool KeepExisting,
        bool SkipVerification,
        TimeSpan LockTimeout,
        IKeyEncryptionKey? Kek,
        DestinationUri? PreRestoreBackupTo)
    {
        /// <summary>Files volumes staged at the same time (<c>--parallel</c>).</summary>
        public int MaxParallelVolumes { get; init; } = BackupVolumes.DefaultParallelism;
    }

    public async Task<int> RunAsync(Arguments arguments, CancellationToken cancellationToken)
    {
        var restorer = new InPlaceRestorer(arguments.Kek, context.PostgresTools, context.Loggers.CreateLogger<InPlaceRestorer>());
        var jobId = "cli-" + RandomNumberGenerator.GetHexString(12, lowercase: true);
        var target = new InPlaceRestoreTarget(jobId, arguments.Store, arguments.Destination.Prefix, arguments.BackupId, arguments.SiteRoot, arguments.Database)
        {
            Items = arguments.Items.Count > 0 ? arguments.Items : null,
            OverwriteExisting = !arguments.KeepExisting,
            LockTimeout = arguments.LockTimeout,
            AllowUnencrypted = arguments.Kek is null,
            MaxParallelVolumes = arguments.MaxParallelVolumes,
        };

        InPlaceRestoreProof proof;
        try
        {
            proof = await restorer.ProveAsync(target, cancellationToken);
            Took("prove");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(OptionWords(ex.Message), ex);
        }

        // Before anything live changes: the current state, kept as a backup of its own.
        var preRestore = arguments.PreRestoreBackupTo is { } to ? await PreRestoreBackupAsync(arguments, to, proof, cancellationToken) : null;
        Took("pre-restore backup");

        var swapBegan = false;
        var databaseBegan = false;
        InPlaceRestoreCounts? staged = null;
        IReadOnlyList<TableRowCount>? tables = null;
        InPlaceRestoreCounts? verified = null;
        try
        {
            staged = await ProgressBars.RunAsync(context, json, async bars =>
            {
                InPlaceRestoreCounts? counts = null;
                if (proof.Files)
                {
                    var step = bars.Start($"verify and stage the files of {arguments.BackupId}", proof.StoredBytes);
                    counts = await restorer.StageFilesAsync(target, new Progress<long>(step.Report), null, cancellationToken);
                    step.Complete();
                }
                return counts;
            });
            Took("stage files");
            swapBegan = true;
            restorer.SwapFiles(target);
            Took("swap");
            if (proof.Database)
            {
                databaseBegan = true;
                tables = await ProgressBars.RunAsync(context, json, async bars =>
                {
                    var step = bars.Start($"database {arguments.Database!.Database} (one transaction)", totalBytes: null);
                    var restored = await restorer.RestoreDatabaseAsync(target, cancellationToken);
                    step.Complete();
                    return restored;
                });
                Took("database");
            }
            if (!arguments.SkipVerification)
            {
                verified = await restorer.VerifyFilesAsync(target, null, cancellationToken);
                Took("verify files");
            }
        }
        catch (Exception ex) when (swapBegan || ex is OperationCanceledException)
        {
            await RollBackAsync(restorer, target, arguments, preRestore, databaseBegan && ex is not PostgresToolException, ex);
            throw;
        }
        catch
        {
            // Nothing live was touched; only staging may be left.
            restorer.RollbackFiles(target);
            throw;
        }

        // From here on there is no rollback: the set-aside folders go.
        var done = restorer.Complete(target) ?? staged;
        Took("complete");
        Report(arguments, proof, preRestore, done, verified, tables);
        return ExitCodes.Ok;
    }

    private readonly System.Diagnostics.Stopwatch _step = System.Diagnostics.Stopwatch.StartNew();

    /// <summary>With --verbose, how long each step took (where an operator's restore spends its time).</summary>
    private void Took(string step)
    {
        if (context.Verbose)
            context.Stderr.WriteLine($"backupctl: [step] {step}: {_step.Elapsed.TotalSeconds:0.00} s");
        _step.Restart();
    }

    /// <summary>A full backup of the live site root and database through the same writer as <c>backupctl backup</c>.</summary>
    private async Task<PreRestoreBackup> PreRestoreBackupAsync(Arguments arguments, DestinationUri to, InPlaceRestoreProof proof, CancellationToken cancellationToken)
    {
        FilesSource? files = null;
        if (proof.Files && arguments.SiteRoot is { } root)
        {
            var leftovers = InPlaceFileRestore.FindLeftovers(root).Select(l => Path.GetFileName(l.Path)).ToHashSet(StringComparer.Ordinal);
            var components = Directory.EnumerateFileSystemEntries(root).Select(p => Path.GetFileName(p)!)
                .Where(name => !leftovers.Contains(name)).Order(StringComparer.Ordinal).ToList();
            if (components.Count > 0)
                files = new FilesSource { Root = root, Components = components };
        }
        var database = proof.Database ? arguments.Database : null;
        var settings = arguments.Kek is null ? new PartSettings(Encryption: BackupFunctions.Core.Encryption.EncryptionAlgorithm.None) : new PartSettings();
        var store = to.CreateStore(context);
        var (backupId, _, _, _) = await BackupCommand.WriteBackupAsync(context, json, store, to, settings, arguments.Kek, database, files, cancellationToken);
        // Printed before anything live changes, so that the operator has it whatever happens next.
        context.Stderr.WriteLine($"Pre-restore backup {backupId} written to {to} (restores the state before this restore).");
        return new PreRestoreBackup(store, to, backupId);
    }

    private sealed record PreRestoreBackup(IBackupStore Store, DestinationUri Destination, string BackupId);

    /// <summary>
    /// Puts the live site back (the set-aside folders) and, when the database may have been changed, restores it from the
    /// pre-restore backup; says on stderr what was put back. Not cancellable: it is what a cancel asks for.
    /// </summary>
    private async Task RollBackAsync(
        InPlaceRestorer restorer, InPlaceRestoreTarget target, Arguments arguments, PreRestoreBackup? preRestore, bool databaseMayHaveChanged, Exception error)
    {
        var why = error is OperationCanceledException ? "cancelled" : "failed";
        context.Stderr.WriteLine($"The in-place restore {why}: {OneLine(error.Message)}");
        try
        {
            restorer.RollbackFiles(target);
            if (arguments.SiteRoot is not null)
                context.Stderr.WriteLine($"Rolled back: the site folders in {arguments.SiteRoot} are as they were before the restore.");
        }
        catch (Exception rollbackError) when (rollbackError is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            context.Stderr.WriteLine($"ROLLBACK FAILED for the site files in {arguments.SiteRoot}: {OneLine(rollbackError.Message)}; "
                + $"the restore job's folders (.bf-restore-{target.JobId}, *.replaced-{target.JobId}) are left as they are"
                + (preRestore is null ? "." : $"; backup {preRestore.BackupId} in {preRestore.Destination} holds the site as it was."));
        }

        if (!databaseMayHaveChanged)
        {
            if (arguments.Database is not null)
                context.Stderr.WriteLine($"The database {arguments.Database.Database} was not changed (the restore's transaction did not commit).");
            return;
        }
        if (preRestore is null)
        {
            context.Stderr.WriteLine($"The database {arguments.Database!.Database} may hold the restored backup: no pre-restore backup was made, so it was not put back.");
            return;
        }

        var back = new InPlaceRestoreTarget(target.JobId + "-back", preRestore.Store, preRestore.Destination.Prefix, preRestore.BackupId, null, arguments.Database)
        {
            LockTimeout = arguments.LockTimeout,
            AllowUnencrypted = arguments.Kek is null,
        };
        try
        {
            await restorer.RestoreDatabaseAsync(back, CancellationToken.None);
            context.Stderr.WriteLine($"Rolled back: the database {arguments.Database!.Database} was restored from the pre-restore backup {preRestore.BackupId}.");
        }
        catch (Exception rollbackError) when (rollbackError is not OutOfMemoryException)
        {
            context.Stderr.WriteLine($"ROLLBACK FAILED for the database {arguments.Database!.Database}: {OneLine(rollbackError.Message)}; "
                + $"restore it with: backupctl restore --from {preRestore.Destination} {preRestore.BackupId} --in-place --to-db <connection string> --no-pre-restore-backup");
        }
    }

    private void Report(
        Arguments arguments, InPlaceRestoreProof proof, PreRestoreBackup? preRestore, InPlaceRestoreCounts? files, InPlaceRestoreCounts? verified,
        IReadOnlyList<TableRowCount>? tables)
    {
        if (json)
        {
            CliOutput.WriteJson(context, new
            {
                backupId = arguments.BackupId,
                destination = arguments.Destination.ToString(),
                inPlace = true,
                preRestoreBackupId = preRestore?.BackupId,
                preRestoreBackupDestination = preRestore?.Destination.ToString(),
                siteRoot = arguments.SiteRoot,
                files = files is null ? null : new
                {
                    files.Components,
                    files.Created,
                    files.Overwritten,
                    files.Unchanged,
                    files.Deleted,
                    files.Skipped,
                    files.Bytes,
                    verified = verified?.Verified,
                },
                toDatabase = proof.Database ? arguments.Database?.ToString() : null,
                tables,
            });
            return;
        }

        context.Stdout.WriteLine($"Restored backup {arguments.BackupId} from {arguments.Destination} in place (every part verified first):");
        if (preRestore is not null)
            context.Stdout.WriteLine($"  pre-restore backup: {preRestore.BackupId} in {preRestore.Destination}");
        if (files is not null)
        {
            context.Stdout.WriteLine($"  files in {arguments.SiteRoot} ({string.Join(", ", files.Components)}): {files.Created} created, {files.Overwritten} overwritten "
                + $"({files.Unchanged} of them unchanged and kept), {files.Deleted} deleted, {files.Skipped} skipped, {CliOutput.Bytes(files.Bytes)} restored"
                + (verified is null ? " (not verified afterwards: --skip-verification)" : $", {verified.Verified} checked against the index"));
        }
        if (tables is not null)
            context.Stdout.WriteLine($"  database {arguments.Database!.Database}: {tables.Count} tables restored in one transaction, row counts match the backup");
    }

    /// <summary>The engine names the API's fields; backupctl's user knows its options.</summary>
    private static string OptionWords(string message)
    {
        (string Field, string Option)[] words =
        [
            ("overwriteExisting:", "--keep-existing:"),
            ("selectiveItems:", "--items:"),
            ("restoreFiles:", "--to-dir:"),
            ("restoreDatabase:", "--to-db:"),
            ("components:", "--to-dir:"),
        ];
        foreach (var (field, option) in words)
        {
            if (message.StartsWith(field, StringComparison.Ordinal))
                return option + message[field.Length..];
        }
        return message;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
