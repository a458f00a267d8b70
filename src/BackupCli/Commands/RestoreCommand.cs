using System.CommandLine;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl restore</c>: restores a backup from a destination and the key alone (<see cref="RestoreRunner"/>:
/// every part verified before anything is written, each to its manifest's plainSize; files into an empty folder via a
/// private staging folder; the database into a new database, row counts compared). A part the manifest lists that is
/// missing is an integrity failure (exit 3). <c>--dry-run</c> lists what would be written and writes nothing.
/// <c>--in-place</c> restores over the live site root and database instead (<see cref="InPlaceRestoreRun"/>, built on
/// the engine's <see cref="InPlaceRestorer"/>), with a rollback on any failure.
/// </summary>
internal sealed class RestoreCommand
{
    private readonly Option<string> _from = new("--from")
    {
        Description = "Destination URI: file:///absolute/path or azblob://container[/prefix].",
        HelpName = "uri",
        Required = true,
    };

    private readonly Argument<string> _backupId = new("backup-id") { Description = "The backup to restore (see backupctl ls)." };

    private readonly Option<string?> _toDir = new("--to-dir")
    {
        Description = "Restore the site files into this folder (must not exist or be empty).",
        HelpName = "dir",
    };

    private readonly Option<string?> _toDb = new("--to-db")
    {
        Description = "Restore the database as this NEW database: Host=…;Port=…;Database=…;Username=…[;Password=…] (or PGPASSWORD).",
        HelpName = "connection string",
    };

    private readonly Option<string[]> _include = new("--include")
    {
        Description = "Restore only files matching this glob (uploads/**, themes/*/style.css, or a folder); repeatable.",
        HelpName = "glob",
    };

    private readonly Option<bool> _dryRun = new("--dry-run")
    {
        Description = "List what would be restored and write nothing.",
    };

    private readonly Option<bool> _inPlace = new("--in-place")
    {
        Description = "Restore over the live site (--to-dir: its root, which must exist) and database (--to-db): every part proven first, "
            + "files staged and swapped in, the database in one transaction, verified; on a failure or Ctrl+C everything is put back. "
            + "Needs --pre-restore-backup-to or --no-pre-restore-backup.",
    };

    private readonly Option<string?> _preRestoreBackupTo = new("--pre-restore-backup-to")
    {
        Description = "With --in-place: first back up the live site and database to this destination URI (also what a failed database step is put back from).",
        HelpName = "uri",
    };

    private readonly Option<bool> _noPreRestoreBackup = new("--no-pre-restore-backup")
    {
        Description = "With --in-place: no backup of the live state first (a database that failed after its commit cannot then be put back).",
    };

    private readonly Option<string[]> _items = new("--items")
    {
        Description = "With --in-place: restore only this glob (uploads/2024/**, a folder) or table (table:schema.name); repeatable.",
        HelpName = "glob|table:schema.name",
    };

    private readonly Option<bool> _keepExisting = new("--keep-existing")
    {
        Description = "With --in-place: restore only what is missing from the live site and leave the rest (refused over a non-empty database).",
    };

    private readonly Option<bool> _skipVerification = new("--skip-verification")
    {
        Description = "With --in-place: skip the check of the restored files against the index afterwards (the parts are always proven first).",
    };

    private readonly Option<int> _lockTimeout = new("--lock-timeout")
    {
        Description = "With --in-place: seconds the database restore waits for a lock another session holds before it fails (and changes nothing).",
        HelpName = "seconds",
        DefaultValueFactory = _ => 30,
    };

    private readonly Option<int> _parallel = new("--parallel")
    {
        Description = "Files volumes downloaded, decrypted, decompressed and extracted at the same time (1-16).",
        HelpName = "volumes",
        DefaultValueFactory = _ => BackupVolumes.DefaultParallelism,
    };

    private readonly KeyArguments _key = new();
    private readonly CliContext _context;
    private readonly Option<bool> _json;

    private RestoreCommand(CliContext context, Option<bool> json)
    {
        _context = context;
        _json = json;
        _lockTimeout.Validators.Add(result =>
        {
            var seconds = result.GetValueOrDefault<int>();
            if (seconds is < 1 or > 3600)
                result.AddError($"--lock-timeout must be 1-3600 seconds, not {seconds}.");
        });
        _parallel.Validators.Add(result =>
        {
            var volumes = result.GetValueOrDefault<int>();
            if (volumes is < 1 or > BackupVolumes.MaxParallelism)
                result.AddError($"--parallel must be 1-{BackupVolumes.MaxParallelism} volumes, not {volumes}.");
        });
    }

    /// <summary>
    /// How long a Ctrl+C may take before the process is ended: an in-place restore rolls back first (puts folders back,
    /// may restore the database from the pre-restore backup), which must not be cut short after System.CommandLine's 2 s.
    /// </summary>
    public static TimeSpan? TerminationTimeout(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.CommandResult.Command.Name == "restore" && parse.GetValue<bool>("--in-place") ? TimeSpan.FromHours(4) : TimeSpan.FromSeconds(2);
    }

    public static Command Create(CliContext context, Option<bool> json)
    {
        var handler = new RestoreCommand(context, json);
        var command = new Command("restore", "Restore a backup from a destination: files into an empty folder, the database into a new database; "
            + "or, with --in-place, over the live site and database with a rollback on any failure.")
        {
            handler._from, handler._backupId, handler._toDir, handler._toDb, handler._include, handler._dryRun,
            handler._inPlace, handler._preRestoreBackupTo, handler._noPreRestoreBackup, handler._items, handler._keepExisting,
            handler._skipVerification, handler._lockTimeout, handler._parallel,
        };
        handler._key.AddTo(command);
        command.SetAction((parse, ct) => handler.RunAsync(parse, ct));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_json);
        if (parse.GetValue(_inPlace))
            return await RunInPlaceAsync(parse, json, cancellationToken);
        foreach (var option in new Option[] { _preRestoreBackupTo, _noPreRestoreBackup, _items, _keepExisting, _skipVerification, _lockTimeout })
        {
            if (parse.GetResult(option) is { Implicit: false })
                throw new UsageException($"{option.Name} needs --in-place.");
        }
        var dryRun = parse.GetValue(_dryRun);
        var destination = DestinationUri.Parse(parse.GetRequiredValue(_from));
        var backupId = parse.GetRequiredValue(_backupId);
        var givenDir = parse.GetValue(_toDir);
        var toDir = givenDir is null ? null : ResolveTarget(givenDir);
        var toDb = parse.GetValue(_toDb) is { } db ? PostgresConnectionString.Parse("--to-db", db, _context) : null;
        var patterns = parse.GetValue(_include) ?? [];
        if (toDir is null && toDb is null)
            throw new UsageException("nothing to restore into: give --to-dir, --to-db or both.");
        if (patterns.Length > 0 && toDir is null)
            throw new UsageException("--include selects files and needs --to-dir.");
        var include = IncludeFilter.Create(patterns);
        var store = destination.CreateStore(_context, mustExist: true);

        var unverified = await StoredBackups.ReadManifestAsync(store, destination, backupId, cancellationToken);
        // An unencrypted backup is restored only when no key is given: with a key, its missing MAC is refused (downgrade).
        var kek = unverified.Manifest.Key is null ? _key.Resolve(parse, _context) : _key.Require(parse, _context, "restore");
        await CheckTargetsAsync(unverified.Manifest, backupId, toDir, toDb, cancellationToken);

        if (dryRun)
            return await DryRunAsync(store, destination, unverified, kek, toDir, toDb, include, json, cancellationToken);

        var runner = new RestoreRunner(
            kek, new PostgresRestorer(_context.PostgresTools), new PostgresDumper(_context.PostgresTools), NullLogger<RestoreRunner>.Instance);
        var request = new RestoreRequest(store, destination.Prefix, backupId, toDir, toDb) { Include = include is null ? null : include.Includes, AllowUnencrypted = kek is null, MaxParallelVolumes = parse.GetValue(_parallel) };
        var result = await ProgressBars.RunAsync(_context, json, async bars =>
        {
            var step = bars.Start($"verify and restore {backupId}", totalBytes: null);
            var result = await runner.RestoreAsync(request, cancellationToken);
            step.Complete();
            return result;
        });

        if (json)
        {
            CliOutput.WriteJson(_context, new
            {
                result.BackupId,
                destination = destination.ToString(),
                toDir,
                result.Files,
                result.Bytes,
                toDatabase = toDb?.ToString(),
                tables = result.Tables,
                outsideLinks = result.OutsideLinks,
                outsideLinkCount = result.OutsideLinkCount,
            });
        }
        else
        {
            _context.Stdout.WriteLine($"Restored backup {backupId} from {destination} (every part verified first):");
            if (toDir is not null)
            {
                var through = toDir == Path.TrimEndingDirectorySeparator(Path.GetFullPath(givenDir!)) ? "" : $" (the real folder of {givenDir})";
                _context.Stdout.WriteLine($"  {result.Files} files ({CliOutput.Bytes(result.Bytes)}) into {toDir}{through}");
            }
            if (toDb is not null)
                _context.Stdout.WriteLine($"  database into {toDb}: {result.Tables.Count} tables, row counts match the backup");
            WriteOutsideLinks(result);
        }
        return ExitCodes.Ok;
    }

    private async Task<int> RunInPlaceAsync(ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        var preRestoreTo = parse.GetValue(_preRestoreBackupTo);
        var noPreRestore = parse.GetValue(_noPreRestoreBackup);
        if (preRestoreTo is null == !noPreRestore)
        {
            throw new UsageException(noPreRestore
                ? "--pre-restore-backup-to and --no-pre-restore-backup exclude each other."
                : "--in-place needs a decision about the live state: --pre-restore-backup-to <uri> (recommended) or --no-pre-restore-backup.");
        }
        if (parse.GetValue(_dryRun))
            throw new UsageException("--dry-run lists a restore into an empty folder; it does not combine with --in-place.");
        if (parse.GetValue(_include) is { Length: > 0 })
            throw new UsageException("--include is for a restore into an empty folder; with --in-place use --items.");

        var destination = DestinationUri.Parse(parse.GetRequiredValue(_from));
        var preRestoreDestination = preRestoreTo is null ? null : DestinationUri.Parse(preRestoreTo);
        var backupId = parse.GetRequiredValue(_backupId);
        var siteRoot = parse.GetValue(_toDir) is { } dir ? ExistingSiteRoot(dir) : null;
        var toDb = parse.GetValue(_toDb) is { } db ? PostgresConnectionString.Parse("--to-db", db, _context) : null;
        if (siteRoot is null && toDb is null)
            throw new UsageException("nothing to restore into: give --to-dir (the live site root), --to-db (the live database) or both.");
        var items = parse.GetValue(_items) ?? [];
        var store = destination.CreateStore(_context, mustExist: true);

        var unverified = await StoredBackups.ReadManifestAsync(store, destination, backupId, cancellationToken);
        var kek = unverified.Manifest.Key is null ? _key.Resolve(parse, _context) : _key.Require(parse, _context, "restore");
        var arguments = new InPlaceRestoreRun.Arguments(
            store, destination, backupId, siteRoot, toDb, items, parse.GetValue(_keepExisting), parse.GetValue(_skipVerification),
            TimeSpan.FromSeconds(parse.GetValue(_lockTimeout)), kek, preRestoreDestination) { MaxParallelVolumes = parse.GetValue(_parallel) };
        return await new InPlaceRestoreRun(_context, json).RunAsync(arguments, cancellationToken);
    }

    /// <summary>The live site root: an existing folder (not confined: backupctl is the operator's own tool), links resolved.</summary>
    private static string ExistingSiteRoot(string dir)
    {
        var resolved = ResolveTarget(dir);
        if (!Directory.Exists(resolved))
            throw new UsageException($"--to-dir: the site root '{dir}' is not an existing folder.");
        return resolved;
    }

    /// <summary>
    /// The note about links restored as the site had them but pointing out of the restored folder: not an error (exit
    /// 0), but their targets must exist on this host for them to work, which only the operator can see to.
    /// </summary>
    private void WriteOutsideLinks(RestoreResult result) => CliOutput.WriteNotes(_context.Stdout,
        result.OutsideLinkCount == 1
            ? "  note: 1 symbolic link points outside the restored folder; it was restored as it was (its target must exist on this host):"
            : $"  note: {result.OutsideLinkCount} symbolic links point outside the restored folder; they were restored as they were (their targets must exist on this host):",
        [.. result.OutsideLinks.Select(link => $"{link.Path} -> {link.Target} ({Why(link.Reason)})")], result.OutsideLinkCount, indent: "    ");

    private static string Why(string reason) => reason switch
    {
        OutsideLink.Absolute => "absolute",
        OutsideLink.Loop => "a loop of links, does not resolve",
        _ => "leaves the restored folder",
    };

    /// <summary>
    /// The folder the files will really land in: every symbolic link along --to-dir resolved (<see cref="RealPath"/>),
    /// so that a --to-dir that is a link gets the files in the folder it points to and stays a link (the restore
    /// renames its staging folder onto the real, empty folder, never onto the link).
    /// </summary>
    private static string ResolveTarget(string dir)
    {
        try
        {
            return RealPath.Resolve(dir);
        }
        catch (IOException ex)
        {
            throw new UsageException($"--to-dir: {ex.Message}", ex);
        }
    }

    /// <summary>Refuses, before any key or data is touched, what the restore would refuse later or could not do.</summary>
    private async Task CheckTargetsAsync(
        BackupManifest manifest, string backupId, string? toDir, PostgresConnectionInfo? toDb, CancellationToken cancellationToken)
    {
        if (toDir is not null && !manifest.Objects.Any(o => o.Kind == "files"))
            throw new UsageException($"backup {backupId} holds no files; leave out --to-dir.");
        if (toDb is not null && !manifest.Objects.Any(o => o.Kind == "database"))
            throw new UsageException($"backup {backupId} holds no database; leave out --to-db.");
        if (toDir is not null && (File.Exists(toDir) || (Directory.Exists(toDir) && Directory.EnumerateFileSystemEntries(toDir).Any())))
            throw new UsageException($"--to-dir '{toDir}' is not empty; restore into an empty or new folder.");
        if (toDb is not null && await new PostgresRestorer(_context.PostgresTools).DatabaseExistsAsync(toDb, cancellationToken))
            throw new UsageException($"--to-db: database '{toDb.Database}' already exists on {toDb.Host}:{toDb.Port}; restore into a new database.");
    }

    private async Task<int> DryRunAsync(
        IBackupStore store, DestinationUri destination, UnverifiedManifest unverified, IKeyEncryptionKey? kek, string? toDir,
        PostgresConnectionInfo? toDb, IncludeFilter? include, bool json, CancellationToken cancellationToken)
    {
        var backupId = unverified.Manifest.BackupId;
        var folder = ObjectNames.BackupFolder(destination.Prefix, backupId);
        var dataKey = await ManifestKeys.OpenAsync(unverified, kek, allowUnencrypted: kek is null, cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, backupId);
            // What the restore would refuse, the dry run refuses too.
            await PartPresence.EnsureAllPresentAsync(store, folder, manifest, cancellationToken);
            StoredPart? indexPart = null;
            long fileCount = 0, bytes = 0;
            if (toDir is not null)
            {
                indexPart = manifest.Objects.SingleOrDefault(o => o.Kind == "index")
                    ?? throw new IntegrityException(ObjectNames.Manifest, "the manifest lists no index.bin");
                // An incremental backup's earlier backups must be there and match its references, or the restore fails.
                using (await ReferencedBackups.OpenAsync(store, folder, manifest, kek, allowUnencrypted: kek is null, cancellationToken))
                {
                }
                // The index is read to its end (so authenticated as a whole) before anything is shown, keeping only the
                // totals; the listing reads it a second time rather than holding a line per file.
                await foreach (var file in ListedAsync(store, folder, manifest, indexPart, dataKey, include, cancellationToken))
                {
                    fileCount++;
                    bytes += file.Size;
                }
            }

            var files = indexPart is null
                ? AsyncEnumerable.Empty<FileIndexEntry>()
                : ListedAsync(store, folder, manifest, indexPart, dataKey, include, cancellationToken);
            var tables = toDb is null ? [] : manifest.Database?.Tables ?? [];
            if (json)
            {
                await CliOutput.WriteJsonAsync(_context, new
                {
                    backupId,
                    destination = destination.ToString(),
                    dryRun = true,
                    toDir,
                    files = files.Select(f => new { f.Path, f.Type, f.Size }),
                    fileCount,
                    bytes,
                    toDatabase = toDb?.ToString(),
                    tables,
                }, cancellationToken);
                return ExitCodes.Ok;
            }

            _context.Stdout.WriteLine($"Dry run: restoring backup {backupId} from {destination} would write (nothing was written):");
            if (toDir is not null)
            {
                _context.Stdout.WriteLine($"  {fileCount} files ({CliOutput.Bytes(bytes)}) into {toDir}:");
                await foreach (var file in files)
                    _context.Stdout.WriteLine($"    {file.Path}{(file.Type == FileIndexEntry.SymbolicLinkType ? " -> " + file.LinkTarget : "")}");
            }
            if (toDb is not null)
            {
                _context.Stdout.WriteLine($"  database {manifest.Database?.Database} as the new database {toDb}, {tables.Count} tables:");
                foreach (var table in tables)
                    _context.Stdout.WriteLine($"    {table.Table} ({table.Rows} rows)");
            }
            return ExitCodes.Ok;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The files and links of the index that the restore would write, read one at a time from the index part.</summary>
    private static async IAsyncEnumerable<FileIndexEntry> ListedAsync(
        IBackupStore store, string folder, BackupManifest manifest, StoredPart indexPart, byte[] dataKey, IncludeFilter? include,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var index = await PartReader.OpenAsync(store, folder + indexPart.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken);
        await foreach (var entry in FileIndex.ReadEntriesAsync(index, cancellationToken))
        {
            if (entry.Type != FileIndexEntry.DirectoryType && (include is null || include.Includes(entry.Path)))
                yield return entry;
        }

        await index.CopyToAsync(Stream.Null, cancellationToken);
    }
}
