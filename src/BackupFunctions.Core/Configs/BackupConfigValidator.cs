using System.Text.RegularExpressions;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Scheduling;
using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Checks a config before anything is stored. Errors are keyed by the field's JSON path (e.g. <c>schedule.time</c>)
/// so that the API can name the field; an empty result means valid.
/// </summary>
public static partial class BackupConfigValidator
{
    public static IReadOnlyDictionary<string, string[]> Validate(BackupConfig config)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(config.Name))
            Add("name", "The name must not be empty.");
        else if (config.Name.Length > 200)
            Add("name", "The name must be at most 200 characters.");
        else if (config.Name.Any(char.IsControl))
            Add("name", "The name must not contain control characters (it is shown in logs, alerts and notifications).");

        if (config.Description is { } description)
        {
            if (description.Length > MaxDescriptionLength)
                Add("description", $"The description must be at most {MaxDescriptionLength} characters.");
            else if (description.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
                Add("description", "The description must not contain control characters other than line breaks and tabs.");
        }

        if (config.Database is null && config.Files is null)
            Add("database", "A backup needs a database, site files, or both.");

        if (config.Type is { } type)
        {
            if (!Format.BackupTypes.IsKnown(type))
                Add("type", $"The type must be one of {Quoted(Format.BackupTypes.All)}.");
            else if (type == Format.BackupTypes.Database && config.Database is null)
                Add("type", "A backup of type 'database' needs a database.");
            else if (type is Format.BackupTypes.Files or Format.BackupTypes.Incremental && config.Files is null)
                Add("type", $"A backup of type '{type}' needs site files.");
        }
        if (config.Incremental is { } incremental)
        {
            if (incremental.FullEvery is < 1 or > IncrementalOptions.MaxFullEvery)
                Add("incremental.fullEvery", $"fullEvery (incremental backups between two full ones) must be between 1 and {IncrementalOptions.MaxFullEvery}.");
            if (incremental.Compare is not (IncrementalOptions.CompareMetadata or IncrementalOptions.CompareHash))
                Add("incremental.compare", $"The compare must be '{IncrementalOptions.CompareMetadata}' or '{IncrementalOptions.CompareHash}'.");
        }
        if (config.Database is { } db)
        {
            if (string.IsNullOrWhiteSpace(db.Host))
                Add("database.host", "The host must not be empty.");
            if (db.Port is < 1 or > 65535)
                Add("database.port", "The port must be between 1 and 65535.");
            if (string.IsNullOrWhiteSpace(db.Database))
                Add("database.database", "The database name must not be empty.");
            if (string.IsNullOrWhiteSpace(db.Username))
                Add("database.username", "The username must not be empty.");
            if (db.PasswordSetting is { } setting && Secrets.SecretReferences.Problem(setting) is { } problem)
                Add("database.passwordSetting", "The password setting must be the name of an app setting, never the password itself. " + problem);
            if (!Sources.PostgresSslModes.TryParse(db.SslMode, out _))
                Add("database.sslMode", $"The sslMode must be one of {Quoted(Sources.PostgresSslModes.Names)} (default '{Sources.PostgresSslModes.VerifyFull}').");
            if (db.Restore is { } restore)
            {
                if (string.IsNullOrWhiteSpace(restore.Username))
                    Add("database.restore.username", "The restore role's username must not be empty.");
                if (restore.PasswordSetting is { } restoreSetting && Secrets.SecretReferences.Problem(restoreSetting) is { } restoreProblem)
                    Add("database.restore.passwordSetting", "The password setting must be the name of an app setting, never the password itself. " + restoreProblem);
            }
        }

        if (config.Files is { } files)
        {
            if (files.Source is { } source)
            {
                if (source.Type == SiteSourceTypes.Local)
                    Add("files.source.type", "A local source is stored as files.root.");
                else
                    SiteSourceRules.Validate(source, "files.source", Add);
            }
            else if (string.IsNullOrWhiteSpace(files.Root) || !Path.IsPathFullyQualified(files.Root))
                Add("files.root", "The site root must be an absolute folder path.");
            ValidateComponentSources(files, Add);
            if (files.Components is null || files.Components.Count == 0)
                Add("files.components", "List at least one component folder (e.g. uploads, themes, plugins, config).");
            else if (files.Components.Count > SiteRoots.MaxComponents)
                Add("files.components", $"List at most {SiteRoots.MaxComponents} component folders.");
            else
            {
                // The rule the backup applies again when it reads the site (SiteRoots.Confine).
                foreach (var problem in files.Components.Select(SiteRoots.ComponentProblem).OfType<string>().Distinct())
                    Add("files.components", problem);
                if (files.Components.Distinct(StringComparer.Ordinal).Count() != files.Components.Count)
                    Add("files.components", "Each component may be listed once.");
            }
        }

        foreach (var (field, message) in ScheduleCalculator.Validate(config.Schedule))
            Add(field, message);
        if (config.MaxConcurrent is < 1 or > MaxConcurrentRuns)
            Add("maxConcurrent", $"maxConcurrent (how many runs of this config may go at once) must be between 1 and {MaxConcurrentRuns}.");

        ValidateDestination(config.Storage, "storage", Add);
        for (var i = 0; i < config.Replicas.Count; i++)
        {
            ValidateDestination(config.Replicas[i], $"replicas[{i}]", Add);
            var same = config.Replicas.Take(i).Prepend(config.Storage).Any(other => SameDestination(other, config.Replicas[i]));
            if (same)
                Add($"replicas[{i}]", "Each replica must be a different destination (another storage location, or another prefix) than the primary and the other replicas.");
        }
        if (config.Replicas.Count > MaxReplicas)
            Add("replicas", $"At most {MaxReplicas} replicas.");

        if (!CompressionStreams.Names.Contains(config.Compression.Algorithm, StringComparer.Ordinal))
            Add("compression.algorithm", $"The compression must be one of {Quoted(CompressionStreams.Names)}.");
        if (config.Compression.Level is < 1 or > 9)
            Add("compression.level", "The level must be between 1 and 9.");
        if (!EncryptionAlgorithms.Names.Contains(config.Encryption.Algorithm, StringComparer.Ordinal))
            Add("encryption.algorithm", $"The encryption must be one of {Quoted(EncryptionAlgorithms.Names)}.");
        if (config.Encryption.KeyDerivation is { } kdf && !KeyDerivations.Names.Contains(kdf, StringComparer.Ordinal))
            Add("encryption.keyDerivation", $"The keyDerivation must be one of {Quoted(KeyDerivations.Names)}.");

        if (config.Retention is { } retention)
        {
            foreach (var (field, message) in Retention.RetentionRules.Validate(retention))
                Add($"retention.{field}", message);
        }
        Notifications.NotificationConfigValidator.Validate(config.Notifications, Add);
        RestoreDrillRules.Validate(config.RestoreDrill, config.Database is not null, Add);

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>
    /// Each component's own source (<c>files.components[i].source</c>, i its place in the list): the same rules as
    /// <c>files.source</c>, and only for a component listed.
    /// </summary>
    private static void ValidateComponentSources(FilesSource files, Action<string, string> add)
    {
        if (files.ComponentSources is not { Count: > 0 } own)
            return;
        var components = files.Components ?? [];
        foreach (var (name, source) in own)
        {
            var index = components.ToList().IndexOf(name);
            if (index < 0)
            {
                add("files.components", $"The component '{name}' has a source but is not listed.");
                continue;
            }
            if (source is null)
            {
                add($"files.components[{index}].source", "The source must be an object.");
                continue;
            }
            SiteSourceRules.Validate(source, $"files.components[{index}].source", add);
        }
    }

    public const int MaxReplicas = 5;

    /// <summary>The longest <see cref="BackupConfig.Description"/>.</summary>
    public const int MaxDescriptionLength = 2000;

    /// <summary>The highest <see cref="BackupConfig.MaxConcurrent"/>.</summary>
    public const int MaxConcurrentRuns = 10;

    private static void ValidateDestination(StorageDestination storage, string path, Action<string, string> add)
    {
        if (storage.StorageId is { } storageId)
        {
            if (!StorageIdShape().IsMatch(storageId))
                add($"{path}.storageId", "A storage id looks like stg-… as POST /api/backup-storage returned it.");
            if (storage.Type.Length > 0 || storage.Container is not null || storage.Path is not null)
                add($"{path}.storageId", "Give either storageId (a storage location) or type with its settings, not both.");
        }
        else
        {
            switch (storage.Type)
            {
                case "azureBlob":
                    if (!Storage.AzureContainerNames.IsValid(storage.Container))
                        add($"{path}.container", "A blob container name is 3–63 lowercase letters, digits and single hyphens.");
                    break;
                case "local":
                    // The rule BackupStoreFactory applies when it opens the folder: what passes here can be written.
                    if (Storage.ObjectNameRules.LocalPathProblem(storage.Path) is { } pathProblem)
                        add($"{path}.path", $"The local path is a folder relative to the configured local root: it {pathProblem}.");
                    break;
                default:
                    add($"{path}.type", "Give storageId (a location from /api/backup-storage), or type 'azureBlob' or 'local' with its settings.");
                    break;
            }
        }
        if (storage.MaxSizeBytes is <= 0)
            add($"{path}.maxSizeBytes", "maxSizeBytes must be a positive number of bytes.");
        if (storage.StorageId is not null && storage.MaxSizeBytes is not null)
            add($"{path}.maxSizeBytes", "A storage location has its own maxSizeBytes; give maxSizeBytes only with an inline destination.");
        // The rule ObjectNames.BackupFolder applies when a backup is written.
        if (Storage.ObjectNameRules.DestinationPrefixProblem(storage.Prefix) is { } prefixProblem)
            add($"{path}.prefix", $"The prefix is '/'-separated folder names in front of the backups' names: it {prefixProblem}.");
    }

    private static bool SameDestination(StorageDestination a, StorageDestination b) =>
        a.StorageId == b.StorageId && a.Type == b.Type && a.Container == b.Container && a.Path == b.Path
        && a.Prefix.Trim('/') == b.Prefix.Trim('/');

    [GeneratedRegex("^stg-[0-9a-f]{24}$")]
    private static partial Regex StorageIdShape();

    private static string Quoted(IEnumerable<string> words) => string.Join(", ", words.Select(w => $"'{w}'"));


}
