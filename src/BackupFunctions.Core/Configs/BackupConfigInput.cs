using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// A config as <c>POST</c> and <c>PUT /api/backup-configs</c> accept it: every word of today's API and of the seed's
/// BackupConfig (docs/api.md, "Backup configs"). <see cref="Read"/> turns it into the one <see cref="BackupConfig"/>
/// the engine stores; fields it does not list are refused by the JSON reader. Errors are keyed by the path the
/// request used (<c>storage[1].primary</c>), also for the checks that run on the result (<see cref="InputPaths"/>).
/// </summary>
public sealed record BackupConfigInput
{
    /// <summary>Read-only fields of an answer, accepted so that a client may send back what it was given (ignored).</summary>
    public string? Id { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>On <c>PUT</c> without <c>If-Match</c>: the <c>updatedAt</c> the client read; another one is a stale edit (412).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? NextRunAt { get; init; }

    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary><c>full</c>, <c>incremental</c>, <c>database</c>, <c>files</c> or the seed's <c>selective</c> (files, the components listed).</summary>
    public string? Type { get; init; }
    public bool? Enabled { get; init; }
    public bool? Verification { get; init; }
    public IncrementalOptions? Incremental { get; init; }
    public DatabaseSource? Database { get; init; }
    public FilesSourceInput? Files { get; init; }
    public required ScheduleInput Schedule { get; init; }

    /// <summary>The seed's top-level <c>timezone</c> (names match without regard to case: <c>timeZone</c> too).</summary>
    public string? TimeZone { get; init; }
    public required StorageInput Storage { get; init; }
    public IReadOnlyList<StorageDestination>? Replicas { get; init; }
    public CompressionInput? Compression { get; init; }
    public EncryptionInput? Encryption { get; init; }

    /// <summary>Today's place for <c>schedule.maxConcurrent</c>.</summary>
    public int? MaxConcurrent { get; init; }
    public RetentionPolicy? Retention { get; init; }
    public NotificationConfig? Notifications { get; init; }
    public RestoreDrillConfig? RestoreDrill { get; init; }

    /// <summary>The seed's word for a files backup of some components.</summary>
    public const string Selective = "selective";

    /// <summary>
    /// The config this input means, or the errors that stop it (keyed by input path). <paramref name="cms"/> gives the
    /// source of a config that names neither database nor files. The result still has to pass
    /// <see cref="BackupConfigChecks"/> (whose keys <see cref="InputPaths"/> turns into this input's paths).
    /// </summary>
    public (BackupConfig? Config, IReadOnlyDictionary<string, string[]> Errors) Read(CmsSourceOptions cms)
    {
        ArgumentNullException.ThrowIfNull(cms);
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        }

        var type = Type?.Trim().ToLowerInvariant();
        var (database, files) = Sources(type, cms, Add);
        var storedType = type == Selective ? Format.BackupTypes.Files : type;

        var schedule = ReadSchedule(Add);
        var (primary, replicas) = ReadStorage(Add);
        var compression = ReadCompression(Add);
        var encryption = ReadEncryption(Add);

        if (Schedule.MaxConcurrent is { } inSchedule && MaxConcurrent is { } topLevel && inSchedule != topLevel)
            Add("schedule.maxConcurrent", "maxConcurrent is given twice with different values (schedule.maxConcurrent and maxConcurrent); give it once.");

        if (errors.Count > 0)
            return (null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
        var config = new BackupConfig
        {
            Name = Name,
            Description = Description,
            // An unknown word stays as given, for the validator to name.
            Type = storedType ?? Type,
            Enabled = Enabled ?? true,
            Verification = Verification ?? true,
            Incremental = Incremental,
            Database = database,
            Files = files,
            Schedule = schedule,
            Storage = primary!,
            Replicas = replicas,
            Compression = compression,
            Encryption = encryption,
            MaxConcurrent = Schedule.MaxConcurrent ?? MaxConcurrent ?? 1,
            Retention = Retention,
            Notifications = Notifications,
            RestoreDrill = RestoreDrill,
        };
        return (config, new Dictionary<string, string[]>());
    }

    /// <summary>
    /// Errors of the stored form's checks (<see cref="BackupConfigValidator"/>: <c>replicas[0].container</c>,
    /// <c>maxConcurrent</c>) under the paths of this input (<c>storage[1].container</c>, <c>schedule.maxConcurrent</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string[]> InputPaths(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var result = new Dictionary<string, List<string>>();
        foreach (var (key, messages) in errors)
        {
            var path = InputPath(key);
            if (!result.TryGetValue(path, out var list))
                result[path] = list = [];
            list.AddRange(messages);
        }
        return result.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private string InputPath(string key)
    {
        if (key == "maxConcurrent" && Schedule.MaxConcurrent is not null)
            return "schedule.maxConcurrent";
        if (key == "schedule.timeZone" && Schedule.TimeZone is null && TimeZone is not null)
            return "timeZone";
        if (!Storage.IsList)
            return key;
        if (key == "storage" || key.StartsWith("storage.", StringComparison.Ordinal))
            return $"storage[{Storage.PrimaryIndex()}]" + key["storage".Length..];
        if (key == "replicas")
            return "storage";
        if (key.StartsWith("replicas[", StringComparison.Ordinal) && key.IndexOf(']', StringComparison.Ordinal) is var end and > 9
            && int.TryParse(key.AsSpan(9, end - 9), out var replica))
            return $"storage[{Storage.EntryOfReplica(replica)}]" + key[(end + 1)..];
        return key;
    }

    private (DatabaseSource? Database, FilesSource? Files) Sources(string? type, CmsSourceOptions cms, Action<string, string> add)
    {
        if (type == Selective && Files?.Components is not { Count: > 0 })
            add("type", "A 'selective' backup backs up the components listed in files.components; list at least one (e.g. \"files\": {\"components\": [\"uploads\"]}).");

        FilesSource? files = null;
        if (Files is { } given)
            files = ReadFiles(given, cms, add);
        if (Database is not null || Files is not null)
            return (Database, files);

        // Neither given: the CMS this install runs beside (Cms:* settings), the parts the type asks for.
        var database = type is null or Format.BackupTypes.Full or Format.BackupTypes.Incremental or Format.BackupTypes.Database ? cms.DefaultDatabase() : null;
        files = type is null or Format.BackupTypes.Full or Format.BackupTypes.Incremental or Format.BackupTypes.Files ? cms.DefaultFiles() : null;
        var (needsDatabase, needsFiles) = type switch
        {
            Format.BackupTypes.Full => (true, true),
            Format.BackupTypes.Database => (true, false),
            Format.BackupTypes.Files or Format.BackupTypes.Incremental => (false, true),
            // No type: whatever the settings name; an unknown type is the validator's to name.
            _ => (false, false),
        };
        const string DatabaseHelp = "the app settings Cms__Database__Host, Cms__Database__Name and Cms__Database__Username name its database, and they are not set";
        const string FilesHelp = "the app setting Cms__Files__Root names its site root, and it is not set";
        if (type is null && database is null && files is null)
            add("database", $"Give database and/or files, or let the config back up this install's CMS: {DatabaseHelp}; {FilesHelp}.");
        if (needsDatabase && database is null)
            add("database", $"A '{type}' backup needs a database: give database, or let the config back up this install's CMS: {DatabaseHelp}.");
        if (needsFiles && files is null)
            add("files", $"A '{type}' backup needs site files: give files, or let the config back up this install's CMS: {FilesHelp}.");
        return (database, files);
    }

    /// <summary>
    /// <c>files</c> as stored: a <c>local</c> source becomes today's <c>root</c> (one canonical form), another source
    /// stays <c>source</c>; components with a source of their own go to <see cref="FilesSource.ComponentSources"/>.
    /// </summary>
    private static FilesSource? ReadFiles(FilesSourceInput given, CmsSourceOptions cms, Action<string, string> add)
    {
        var components = given.Components?.Select(c => c.Name).ToList() ?? [.. FilesSource.DefaultComponents];
        var own = given.Components?.Where(c => c.Source is not null).ToList() ?? [];
        var componentSources = own.Count == 0 ? null : new Dictionary<string, SiteSourceSettings>(StringComparer.Ordinal);
        foreach (var component in own)
            componentSources!.TryAdd(component.Name, component.Source!); // a name listed twice is the validator's to name

        if (given.Source is { } source)
        {
            if (given.Root is not null)
            {
                add("files.root", "Give files.root (a local folder) or files.source, not both.");
                return null;
            }
            if (source.Type == SiteSourceTypes.Local)
            {
                // Local settings other than root are the validator's to refuse; checked here on the source's own path.
                var errors = new List<(string, string)>();
                SiteSourceRules.Validate(source, "files.source", (f, m) => errors.Add((f, m)));
                foreach (var (field, message) in errors)
                    add(field, message);
                return errors.Count > 0 ? null : new FilesSource { Root = source.Root!, Components = components, ComponentSources = componentSources };
            }
            return new FilesSource { Source = source, Components = components, ComponentSources = componentSources };
        }

        var root = given.Root ?? (cms.Files.Root.Length > 0 ? cms.Files.Root : null);
        if (root is null)
        {
            add("files.root", "The site root is required: this install has no default site root (app setting Cms__Files__Root).");
            return null;
        }
        return new FilesSource { Root = root, Components = components, ComponentSources = componentSources };
    }

    private BackupSchedule ReadSchedule(Action<string, string> add)
    {
        var zone = Schedule.TimeZone;
        if (TimeZone is { } topLevel)
        {
            if (zone is not null && !string.Equals(zone, topLevel, StringComparison.Ordinal))
                add("timeZone", "The time zone is given twice with different values (timeZone and schedule.timeZone); give it once.");
            zone ??= topLevel;
        }
        return new BackupSchedule
        {
            Frequency = Schedule.Frequency,
            Time = Schedule.Time,
            Minute = Schedule.Minute,
            DayOfWeek = Schedule.DayOfWeek,
            DayOfMonth = Schedule.DayOfMonth,
            TimeZone = zone ?? "UTC",
        };
    }

    private (StorageDestination? Primary, IReadOnlyList<StorageDestination> Replicas) ReadStorage(Action<string, string> add)
    {
        var entries = Storage.Entries;
        if (!Storage.IsList)
        {
            if (entries[0].Primary == false)
                add("storage.primary", "A single storage object is the primary destination; to list replicas, make storage an array (primary: true on one entry).");
            return (Destination(entries[0], "storage", add), Replicas ?? []);
        }

        if (Replicas is not null)
            add("replicas", "With storage as an array, list the replicas in it (primary: false) instead of in replicas.");
        if (entries.Count == 0)
        {
            add("storage", "List at least one destination.");
            return (null, []);
        }
        var marked = entries.Select((e, i) => (e, i)).Where(x => x.e.Primary == true).Select(x => x.i).ToList();
        foreach (var extra in marked.Skip(1))
            add($"storage[{extra}].primary", $"Only one destination may be primary; storage[{marked[0]}] already is.");
        if (marked.Count == 0 && entries.Count > 1)
            add("storage", "Mark the primary destination with primary: true (the others are replicas).");
        var primaryIndex = Storage.PrimaryIndex();
        var destinations = entries.Select((e, i) => Destination(e, $"storage[{i}]", add)).ToList();
        if (primaryIndex < 0)
            return (null, []);
        return (destinations[primaryIndex], [.. destinations.Where((_, i) => i != primaryIndex)]);
    }

    private static StorageDestination Destination(StorageEntryInput entry, string path, Action<string, string> add)
    {
        if (entry.StorageId is not null && entry.Id is not null && entry.StorageId != entry.Id)
            add($"{path}.id", "id and storageId name the same storage location; give one of them.");
        return new StorageDestination
        {
            StorageId = entry.StorageId ?? entry.Id,
            Type = entry.Type ?? "",
            Container = entry.Container,
            Path = entry.Path,
            Prefix = entry.Prefix ?? "",
            MaxSizeBytes = entry.MaxSizeBytes,
        };
    }

    private CompressionOptions ReadCompression(Action<string, string> add)
    {
        var defaults = new CompressionOptions();
        if (Compression is not { } given)
            return defaults;
        var algorithm = given.Algorithm?.Trim().ToLowerInvariant();
        if (given.Enabled == false)
            algorithm = "none";
        else if (given.Enabled == true && algorithm == "none")
            add("compression.enabled", "Compression is enabled but its algorithm is 'none'; give an algorithm (zstd, gzip, brotli, bzip2, lzma) or enabled: false.");
        // An unknown word stays as given, for the validator to name.
        return new CompressionOptions { Algorithm = algorithm ?? defaults.Algorithm, Level = given.Level ?? defaults.Level };
    }

    private EncryptionOptions ReadEncryption(Action<string, string> add)
    {
        var defaults = new EncryptionOptions();
        if (Encryption is not { } given)
            return defaults;
        var algorithm = given.Algorithm?.Trim().ToLowerInvariant() switch
        {
            null => null,
            "aes256" or "aes-256" => "aes-256-gcm",
            "chacha20" => "chacha20-poly1305",
            var word => word,
        };
        if (given.Enabled == false)
            algorithm = "none";
        else if (given.Enabled == true && algorithm == "none")
            add("encryption.enabled", "Encryption is enabled but its algorithm is 'none'; give an algorithm (aes256, chacha20) or enabled: false.");

        string? kdf = null;
        if (given.KeyDerivation is { } kdfWord)
        {
            kdf = KeyDerivations.Canonical(kdfWord.Trim());
            if (kdf is null)
                add("encryption.keyDerivation", $"The keyDerivation must be one of {string.Join(", ", KeyDerivations.Names.Select(n => $"'{n}'"))}.");
        }
        return new EncryptionOptions { Algorithm = algorithm ?? defaults.Algorithm, KeyDerivation = kdf };
    }
}
