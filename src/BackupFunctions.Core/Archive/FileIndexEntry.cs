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
/// <param name="Volume">The part that holds the content, e.g. <c>files-00001.part</c>.</param>
public sealed record FileIndexEntry(string Path, string Type, long Size, DateTimeOffset ModifiedAt, int Mode, string? Sha256, string Volume)
{
    public const string FileType = "file";
    public const string DirectoryType = "directory";
    public const string SymbolicLinkType = "symlink";

    /// <summary>Where a symbolic link points (relative), exactly as stored; null for files and folders.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinkTarget { get; init; }
}
