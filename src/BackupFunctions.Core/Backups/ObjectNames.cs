namespace BackupFunctions.Core.Backups;

/// <summary>
/// Object names inside a destination (docs/design.md, 'The stored format'; the bytes are in docs/format.md):
/// <c>&lt;prefix&gt;/backups/&lt;backupId&gt;/&lt;part&gt;</c>.
/// </summary>
public static class ObjectNames
{
    public const string Manifest = "manifest.json";
    public const string Database = "db.part";
    public const string Index = "index.bin";
    public const string FirstFilesVolume = "files-00001.part";

    /// <summary>
    /// The plan of a running backup (which entry goes into which volume). A working object: removed once the manifest
    /// is written, never listed in it.
    /// </summary>
    public const string Plan = "plan.bin";

    /// <summary>
    /// An incremental backup's index entries of the files it does not store (they point at the backups holding them),
    /// appended to <see cref="Index"/> after the volumes' entries: a working object like <see cref="Plan"/>.
    /// </summary>
    public const string UnchangedEntries = "index-unchanged.bin";

    /// <summary>File volume <paramref name="number"/> (from 1): <c>files-00001.part</c>, <c>files-00002.part</c>, …</summary>
    public static string FilesVolume(int number) => Format.ManifestVolumes.Name(number);

    /// <summary>
    /// The index entries of volume <paramref name="number"/>, written beside it and joined into <see cref="Index"/>: a
    /// working object like <see cref="Plan"/>.
    /// </summary>
    public static string VolumeIndex(int number) => $"index-{number:D5}.bin";

    /// <summary>The folder of one backup, ending with '/'.</summary>
    /// <exception cref="ArgumentException">The prefix breaks the rule the API checks a posted <c>prefix</c> with.</exception>
    public static string BackupFolder(string prefix, string backupId)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (Storage.ObjectNameRules.DestinationPrefixProblem(prefix) is { } problem)
            throw new ArgumentException($"The destination prefix '{Storage.ObjectNameRules.Printable(prefix)}' {problem}.", nameof(prefix));
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? $"backups/{backupId}/" : $"{trimmed}/backups/{backupId}/";
    }

    /// <summary>The folder of all backups under a prefix, ending with '/': each backup's folder is one level below.</summary>
    public static string BackupsFolder(string prefix)
    {
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? "backups/" : $"{trimmed}/backups/";
    }
}
