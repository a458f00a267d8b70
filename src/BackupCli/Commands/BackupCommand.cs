using System.CommandLine;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl backup</c>: writes one backup (database part, file volume and index, manifest last) straight to a
/// destination with a fresh data key, the same format the service writes, with no catalog.
/// </summary>
internal sealed class BackupCommand
{
    /// <summary>The config id in backup ids made by backupctl (the service uses the backup config's id).</summary>
    public const string ConfigId = "cli";

    private readonly Option<string> _to = new("--to")
    {
        Description = "Destination URI: file:///absolute/path or azblob://container[/prefix].",
        HelpName = "uri",
        Required = true,
    };

    private readonly Option<string?> _site = new("--site")
    {
        Description = "Site folder to back up (everything in it, or only the --component folders).",
        HelpName = "dir",
    };

    private readonly Option<string[]> _components = new("--component")
    {
        Description = "Only this folder (relative to --site); repeatable.",
        HelpName = "path",
    };

    private readonly Option<string?> _db = new("--db")
    {
        Description = "PostgreSQL database: Host=…;Port=…;Database=…;Username=…[;Password=…] (or PGPASSWORD).",
        HelpName = "connection string",
    };

    private readonly Option<string?> _type = new("--type")
    {
        Description = "What to back up: full (database and files), database, files, or incremental (the database in full and the files " +
            "that changed since the newest backup in the destination; full when there is none usable). Default: what --db and --site give.",
    };

    private readonly Option<int> _fullEvery = new("--full-every")
    {
        Description = "With --type incremental: a full backup after at most this many incremental ones in a row (1-100).",
        DefaultValueFactory = _ => 7,
    };

    private readonly Option<string> _compare = new("--compare")
    {
        Description = "With --type incremental: how a file is known unchanged, by metadata (size, time, mode) or hash (also its content; reads every file).",
        DefaultValueFactory = _ => IncrementalOptions.CompareMetadata,
    };

    private readonly Option<string> _compression = new("--compression")
    {
        Description = "Compression of every part.",
        DefaultValueFactory = _ => "zstd",
    };

    private readonly Option<int> _level = new("--level", "-l")
    {
        Description = "Compression level, 1 (fastest) to 9 (smallest).",
        DefaultValueFactory = _ => 3,
    };

    private readonly Option<string> _encryption = new("--encryption")
    {
        Description = "Encryption of every part.",
        DefaultValueFactory = _ => "aes256",
    };

    private readonly Option<bool> _compressAll = new("--compress-all")
    {
        Description = "Compress already-compressed files (JPEG, PNG, ZIP, MP4…) too; by default they go into volumes of their own stored as they are.",
    };

    private readonly KeyArguments _key = new();
    private readonly CliContext _context;
    private readonly Option<bool> _json;

    private BackupCommand(CliContext context, Option<bool> json)
    {
        _context = context;
        _json = json;
        _type.AcceptOnlyFromAmong(BackupTypes.Full, BackupTypes.Database, BackupTypes.Files, BackupTypes.Incremental);
        _compare.AcceptOnlyFromAmong(IncrementalOptions.CompareMetadata, IncrementalOptions.CompareHash);
        _fullEvery.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > IncrementalOptions.MaxFullEvery)
                result.AddError($"--full-every must be 1-{IncrementalOptions.MaxFullEvery}, not {value}.");
        });
        _compression.AcceptOnlyFromAmong("zstd", "gzip", "brotli", "bzip2", "lzma", "none");
        _encryption.AcceptOnlyFromAmong("aes256", "chacha20", "none");
        _level.Validators.Add(result =>
        {
            var level = result.GetValueOrDefault<int>();
            if (level is < CompressionStreams.MinLevel or > CompressionStreams.MaxLevel)
                result.AddError($"--level must be {CompressionStreams.MinLevel}-{CompressionStreams.MaxLevel}, not {level}.");
        });
    }

    public static Command Create(CliContext context, Option<bool> json)
    {
        var handler = new BackupCommand(context, json);
        var command = new Command("backup", "Back up a database and/or a site folder straight to a destination; prints the new backup id.")
        {
            handler._to, handler._site, handler._components, handler._db, handler._type, handler._fullEvery, handler._compare,
            handler._compression, handler._level, handler._encryption, handler._compressAll,
        };
        handler._key.AddTo(command);
        command.SetAction((parse, ct) => handler.RunAsync(parse, ct));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_json);
        var destination = DestinationUri.Parse(parse.GetRequiredValue(_to));
        var (database, files) = Sources(parse);
        var settings = new PartSettings(
            ParseWord(() => CompressionStreams.Parse(parse.GetRequiredValue(_compression)), "--compression"),
            parse.GetValue(_level),
            ParseWord(() => EncryptionAlgorithms.Parse(EncryptionWord(parse.GetRequiredValue(_encryption))), "--encryption"));
        var encrypted = settings.Encryption != EncryptionAlgorithm.None;
        var kek = encrypted ? _key.Require(parse, _context, "backup") : null;
        var store = destination.CreateStore(_context);

        var incremental = parse.GetValue(_type) == BackupTypes.Incremental
            ? new IncrementalRequest(parse.GetValue(_fullEvery), parse.GetRequiredValue(_compare) == IncrementalOptions.CompareHash)
            : null;
        var (backupId, manifest, result, filesPart) = await WriteBackupAsync(
            _context, json, store, destination, settings, kek, database, files, !parse.GetValue(_compressAll), cancellationToken, incremental);
        var statistics = manifest.Statistics;
        var changedFiles = filesPart?.ChangedFiles ?? [];
        if (json)
        {
            CliOutput.WriteJson(_context, new
            {
                backupId,
                destination = destination.ToString(),
                manifest.Type,
                manifest.BaseBackupId,
                manifest = result.ManifestName,
                manifest.CreatedAt,
                manifest.CompletedAt,
                manifest.Compression,
                manifest.CompressionLevel,
                manifest.Encryption,
                keyId = manifest.Key?.KeyId,
                statistics,
                objects = manifest.Objects,
                changedFiles,
                linkedComponents = filesPart?.LinkedComponents ?? [],
                linkedComponentCount = filesPart?.LinkedComponentCount ?? 0,
            });
        }
        else
        {
            // The id alone on stdout, so that `id=$(backupctl backup …)` works; the summary goes to stderr.
            _context.Stdout.WriteLine(backupId);
            if (manifest.BaseBackupId is { } baseId)
            {
                _context.Stderr.WriteLine(
                    $"Incremental on {baseId}: {statistics.AddedFiles} files added, {statistics.ModifiedFiles} changed, " +
                    $"{statistics.DeletedFiles} deleted, {statistics.UnchangedFiles} unchanged (kept in {manifest.References?.Count ?? 0} earlier backups).");
            }
            _context.Stderr.WriteLine(
                $"Backup {backupId} ({manifest.Type}) written to {destination}: {statistics.Files} files ({CliOutput.Bytes(statistics.FilesBytes)}), " +
                $"{statistics.DatabaseTables} tables, {CliOutput.Bytes(statistics.StoredBytes)} stored (ratio {statistics.CompressionRatio}) in {statistics.DurationSeconds} s.");
            // Not errors: each file is stored as its index entry says (see docs/design.md, "Files that change during a
            // backup"), each linked component as the link it is — but what such a link points to (a mounted volume,
            // say) is not in the backup, which the operator must know.
            CliOutput.WriteNotes(_context.Stderr, $"{statistics.ChangedFiles} files changed while they were archived:",
                [.. changedFiles.Select(change => $"{change.Change,-8} {change.Path}")], statistics.ChangedFiles);
            var linkedCount = filesPart?.LinkedComponentCount ?? 0;
            CliOutput.WriteNotes(_context.Stderr, linkedCount == 1
                    ? "Note: 1 component is a symbolic link; it is stored as a link and what it points to is not in this backup:"
                    : $"Note: {linkedCount} components are symbolic links; they are stored as links and what they point to is not in this backup:",
                [.. (filesPart?.LinkedComponents ?? []).Select(linked => $"{linked.Component} -> {linked.Target}")], linkedCount);
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// Writes one backup of <paramref name="database"/> and/or <paramref name="files"/> to <paramref name="store"/> with a
    /// fresh data key (wrapped by <paramref name="kek"/>; none when the settings say no encryption), drawing progress
    /// bars; a failure leaves no parts behind. The one way backupctl writes a backup (<c>backup</c>, and the pre-restore
    /// backup of <c>restore --in-place</c>).
    /// </summary>
    internal static Task<(string BackupId, BackupManifest Manifest, ManifestResult Result, FilesPartResult? FilesPart)> WriteBackupAsync(
        CliContext context, bool json, IBackupStore store, DestinationUri destination, PartSettings settings, IKeyEncryptionKey? kek,
        PostgresConnectionInfo? database, FilesSource? files, CancellationToken cancellationToken)
        => WriteBackupAsync(context, json, store, destination, settings, kek, database, files, storeCompressedAsIs: true, cancellationToken);

    /// <summary>
    /// As the overload above; <paramref name="storeCompressedAsIs"/> false (<c>--compress-all</c>) compresses
    /// already-compressed files with the rest instead of storing them in volumes of their own with compression <c>none</c>;
    /// <paramref name="incremental"/> makes an incremental backup on the newest one in the destination (or a full one, and says why).
    /// </summary>
    internal static async Task<(string BackupId, BackupManifest Manifest, ManifestResult Result, FilesPartResult? FilesPart)> WriteBackupAsync(
        CliContext context, bool json, IBackupStore store, DestinationUri destination, PartSettings settings, IKeyEncryptionKey? kek,
        PostgresConnectionInfo? database, FilesSource? files, bool storeCompressedAsIs, CancellationToken cancellationToken,
        IncrementalRequest? incremental = null)
    {
        var encrypted = settings.Encryption != EncryptionAlgorithm.None;
        IncrementalBase? baseBackup = null;
        if (incremental is not null && files is not null)
        {
            string reason;
            (baseBackup, reason) = await OpenBaseAsync(store, destination, kek, encrypted, incremental.FullEvery, cancellationToken);
            if (!json)
                context.Stderr.WriteLine(baseBackup is null ? $"Making a full backup instead of an incremental one: {reason["full: ".Length..]}." : $"Incremental: on {baseBackup.Manifest.BackupId}.");
        }
        using var baseToDispose = baseBackup;
        var startedAt = context.Time.GetUtcNow();
        var backupId = JobIds.ForManual(ConfigId, startedAt, RandomNumberGenerator.GetHexString(8, lowercase: true));
        var folder = ObjectNames.BackupFolder(destination.Prefix, backupId);
        var dataKey = encrypted ? DataKeys.Generate() : [];
        try
        {
            var envelope = kek is null ? null : await kek.WrapAsync(dataKey, cancellationToken);
            var (manifest, result, filesPart) = await ProgressBars.RunAsync(context, json, async bars =>
            {
                try
                {
                    return await WriteAsync(context, bars, store, folder, backupId, settings, dataKey, envelope, startedAt, database, files,
                        new FilesWriteOptions { StoreCompressedAsIs = storeCompressedAsIs, Incremental = baseBackup, CompareHash = incremental?.CompareHash ?? false },
                        cancellationToken);
                }
                catch
                {
                    await RemovePartialAsync(store, folder);
                    throw;
                }
            });
            return (backupId, manifest, result, filesPart);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private static async Task<(BackupManifest, ManifestResult, FilesPartResult?)> WriteAsync(
        CliContext context, 
        ProgressBars bars, IBackupStore store, string folder, string backupId, PartSettings settings, byte[] dataKey, KeyEnvelope? envelope,
        DateTimeOffset startedAt, PostgresConnectionInfo? database, FilesSource? files, FilesWriteOptions options, CancellationToken cancellationToken)
    {
        DatabasePartResult? databasePart = null;
        if (database is not null)
        {
            var step = bars.Start($"database {database.Database}", totalBytes: null);
            var writer = new BackupWriter(new PostgresDumper(context.PostgresTools));
            databasePart = await writer.WriteDatabaseAsync(store, folder, backupId, settings, dataKey, database, cancellationToken);
            step.Complete();
        }

        FilesPartResult? filesPart = null;
        if (files is not null)
        {
            var scan = SiteArchiver.Scan(files.Root, files.Components);
            var step = bars.Start($"files ({scan.Files})", scan.Bytes);
            filesPart = await BackupWriter.WriteFilesAsync(
                store, folder, backupId, settings, dataKey, files, options, new Progress<ArchiveProgress>(p => step.Report(p.Bytes)), cancellationToken);
            step.Complete();
        }

        var draft = new ManifestDraft(backupId, ConfigId, startedAt, context.Time.GetUtcNow(), settings, envelope, databasePart, filesPart);
        var (manifest, result) = await BackupWriter.WriteManifestAsync(store, folder, draft, dataKey, cancellationToken);
        return (manifest, result, filesPart);
    }

    /// <summary>
    /// The base of an incremental backup in a bare destination: the newest backup written by backupctl (config id
    /// <see cref="ConfigId"/>) that has a file index, by its manifest alone (read, not yet verified: opening the base
    /// verifies it).
    /// </summary>
    private static async Task<(IncrementalBase? Base, string Reason)> OpenBaseAsync(
        IBackupStore store, DestinationUri destination, IKeyEncryptionKey? kek, bool encrypted, int fullEvery, CancellationToken cancellationToken)
    {
        var candidates = new List<BaseCandidate>();
        foreach (var (id, objects) in await StoredBackups.ListAsync(store, destination.Prefix, cancellationToken))
        {
            if (!objects.Any(o => o.Name.EndsWith("/" + ObjectNames.Manifest, StringComparison.Ordinal)) || !ManifestReferences.IsPlainBackupId(id))
                continue;
            try
            {
                var (manifest, _) = await StoredManifest.ReadAsync(store, ObjectNames.BackupFolder(destination.Prefix, id), cancellationToken);
                if (manifest.Manifest.ConfigId == ConfigId)
                    candidates.Add(new BaseCandidate(id, manifest.Manifest.CreatedAt, manifest.Manifest.Objects.Any(o => o.Name == ObjectNames.Index)));
            }
            catch (Exception e) when (e is IntegrityException or NotSupportedException)
            {
                // A damaged or newer backup is no base; verify reports it.
            }
        }
        return await IncrementalBase.OpenChosenAsync(store, destination.Prefix, IncrementalPolicy.ChooseBase(candidates), kek, encrypted, fullEvery, cancellationToken);
    }

    private (PostgresConnectionInfo? Database, FilesSource? Files) Sources(ParseResult parse)
    {
        var site = parse.GetValue(_site);
        var db = parse.GetValue(_db);
        var type = parse.GetValue(_type) ?? (site, db) switch
        {
            (not null, not null) => "full",
            (null, not null) => "database",
            (not null, null) => "files",
            _ => throw new UsageException("nothing to back up: give --db, --site or both."),
        };
        // An incremental backup dumps the database in full (when --db is given) and compares the files.
        if (type == BackupTypes.Incremental)
        {
            if (site is null)
                throw new UsageException("--type incremental needs --site.");
            type = db is null ? BackupTypes.Files : BackupTypes.Full;
        }
        var wantsDatabase = type is "full" or "database";
        var wantsFiles = type is "full" or "files";
        if (wantsDatabase && db is null)
            throw new UsageException($"--type {type} needs --db.");
        if (wantsFiles && site is null)
            throw new UsageException($"--type {type} needs --site.");
        if (!wantsDatabase && db is not null)
            throw new UsageException($"--db is not used by --type {type}.");
        if (!wantsFiles && site is not null)
            throw new UsageException($"--site is not used by --type {type}.");

        FilesSource? files = null;
        if (site is not null)
        {
            var root = Path.GetFullPath(site);
            if (!Directory.Exists(root))
                throw new UsageException($"--site: the folder '{root}' does not exist.");
            var components = parse.GetValue(_components) is { Length: > 0 } given
                ? given
                : [.. Directory.EnumerateFileSystemEntries(root).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];
            var outside = components.FirstOrDefault(c => Path.IsPathRooted(c) || c.Split('/', '\\').Any(s => s is "." or ".."));
            if (outside is not null)
                throw new UsageException($"--component '{outside}' must be a relative path inside the site folder.");
            files = new FilesSource { Root = root, Components = components };
        }

        return (db is null ? null : PostgresConnectionString.Parse("--db", db, _context), files);
    }

    /// <summary>The command line's short words for the manifest's algorithm names.</summary>
    private static string EncryptionWord(string word) => word switch
    {
        "aes256" => "aes-256-gcm",
        "chacha20" => "chacha20-poly1305",
        _ => word,
    };

    private static T ParseWord<T>(Func<T> parse, string option)
    {
        try
        {
            return parse();
        }
        catch (NotSupportedException ex)
        {
            throw new UsageException($"{option}: {ex.Message}", ex);
        }
    }

    /// <summary>A failed backup leaves no parts behind (without a manifest they would only be garbage).</summary>
    private static async Task RemovePartialAsync(IBackupStore store, string folder)
    {
        try
        {
            var names = new List<string>();
            await foreach (var info in store.ListAsync(folder, CancellationToken.None))
                names.Add(info.Name);
            foreach (var name in names)
                await store.DeleteAsync(name, CancellationToken.None);
        }
        catch (Exception ex) when (ex is StoreException or IOException)
        {
            // Best effort: the error that stopped the backup is the one to report.
        }
    }
}
