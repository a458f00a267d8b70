namespace BackupFunctions.Core.Format;

/// <summary>
/// What a backup holds, as manifests, catalog rows, jobs and configs name it (the seed's words; <c>selective</c> is
/// <c>files</c> with components).
/// </summary>
public static class BackupTypes
{
    /// <summary>The database and every file, stored in this backup.</summary>
    public const string Full = "full";

    /// <summary>The database in full, and the files that changed since the base backup; the others point into it.</summary>
    public const string Incremental = "incremental";

    /// <summary>The database only.</summary>
    public const string Database = "database";

    /// <summary>Files only (all of the site, or some components).</summary>
    public const string Files = "files";

    public static readonly IReadOnlyList<string> All = [Full, Incremental, Database, Files];

    public static bool IsKnown(string? type) => type is Full or Incremental or Database or Files;

    /// <summary>
    /// The type of a backup that stores all it holds itself: <see cref="Full"/> with the database and files,
    /// <see cref="Database"/> or <see cref="Files"/> with one of them (an incremental is decided by its writer, never
    /// derived from its parts).
    /// </summary>
    public static string OfParts(bool database, bool files) => (database, files) switch
    {
        (true, false) => Database,
        (false, true) => Files,
        _ => Full,
    };
}
