namespace BackupFunctions.Core.Configs;

/// <summary>
/// The CMS this install runs beside (settings section <c>Cms</c>): what a config that names neither <c>database</c>
/// nor <c>files</c> backs up, as the seed's engine does. Its <c>type</c> picks the parts. The source is written into
/// the config when it is created or replaced, so a later change of these settings does not move existing configs.
/// </summary>
public sealed class CmsSourceOptions
{
    public const string SectionName = "Cms";

    public CmsDatabaseOptions Database { get; set; } = new();

    public CmsFilesOptions Files { get; set; } = new();

    /// <summary>The default database, or null when <c>Cms:Database:Host</c> is not set.</summary>
    public DatabaseSource? DefaultDatabase() => Database.Host.Length == 0 ? null : new DatabaseSource
    {
        Host = Database.Host,
        Port = Database.Port,
        Database = Database.Name,
        Username = Database.Username,
        PasswordSetting = Database.PasswordSetting.Length == 0 ? null : Database.PasswordSetting,
        SslMode = Database.SslMode.Length == 0 ? Sources.PostgresSslModes.VerifyFull : Database.SslMode,
    };

    /// <summary>The default site files with <paramref name="components"/> (null: the configured ones), or null when <c>Cms:Files:Root</c> is not set.</summary>
    public FilesSource? DefaultFiles(IReadOnlyList<string>? components = null) => Files.Root.Length == 0 ? null : new FilesSource
    {
        Root = Files.Root,
        Components = components ?? Files.ComponentList(),
    };

    /// <summary>Null when the settings are usable; else the start-up error naming the setting.</summary>
    public string? Validate()
    {
        var db = Database;
        if (db.Host.Length > 0)
        {
            if (db.Name.Length == 0 || db.Username.Length == 0)
                return "Cms:Database:Name and Cms:Database:Username must be set when Cms:Database:Host is.";
            if (db.Port is < 1 or > 65535)
                return "Cms:Database:Port must be between 1 and 65535.";
            if (db.PasswordSetting.Length > 0 && Secrets.SecretReferences.Problem(db.PasswordSetting) is { } problem)
                return "Cms:Database:PasswordSetting must name the app setting that holds the password. " + problem;
            if (db.SslMode.Length > 0 && !Sources.PostgresSslModes.TryParse(db.SslMode, out _))
                return $"Cms:Database:SslMode must be one of {string.Join(", ", Sources.PostgresSslModes.Names)}, or empty.";
        }
        else if (db.Name.Length > 0 || db.Username.Length > 0 || db.PasswordSetting.Length > 0)
        {
            return "Cms:Database:Host must be set when the other Cms:Database settings are.";
        }

        if (Files.Root.Length > 0 && !Path.IsPathFullyQualified(Files.Root))
            return $"Cms:Files:Root must be an absolute folder; '{Files.Root}' is not.";
        var components = Files.ComponentList();
        if (components.Count == 0 || components.Select(SiteRoots.ComponentProblem).OfType<string>().FirstOrDefault() is not null)
            return "Cms:Files:Components must be folder names under the site root separated by ';' (e.g. uploads;themes;plugins;config).";
        return null;
    }
}
