using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// One entry of a backup's file index: a file or folder relative to the site root ('/'-separated), with the
/// SHA-256 of its content so that a restore can prove every byte.
/// </summary>
/// <param name="Type"><c>file</c>, <c>directory</c> or <c>symlink</c> (see the constants).</param>
/// <param name="Size">Bytes of a file; 0 for folders and links.</param>
/// <param name="Mode">Unix permission bits (e.g. 0644 octal).</param>
/// <param name="Sha256">Lowercase hex; null for folders and links.</param>
/// <param name="Volume">
/// The part that holds the content, e.g. <c>files-00001.part</c>: of this backup, or of <see cref="Backup"/> when set.
/// </param>
public sealed record FileIndexEntry(string Path, string Type, long Size, DateTimeOffset ModifiedAt, int Mode, string? Sha256, string Volume)
{
    public const string FileType = "file";
    public const string DirectoryType = "directory";
    public const string SymbolicLinkType = "symlink";

    /// <summary>Where a symbolic link points (relative), exactly as stored; null for files and folders.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinkTarget { get; init; }

    /// <summary>
    /// Format version 2, incremental backups: the id of the earlier backup whose <see cref="Volume"/> holds this file's
    /// content (the file was unchanged since then); null (and absent from the JSON) when this backup holds it. Only
    /// files point elsewhere, and only into backups the manifest's <c>references</c> lists (docs/format.md).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Backup { get; init; }
}
