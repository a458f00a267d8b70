namespace BackupFunctions.Core.Archive;

/// <summary>
/// One entry of a backup's file index: a file or folder relative to the site root ('/'-separated), with the
/// SHA-256 of its content so that a restore can prove every byte.
/// </summary>
/// <param name="Type"><c>file</c> or <c>directory</c>.</param>
/// <param name="Sha256">Lowercase hex; null for folders.</param>
/// <param name="Volume">The part that holds the content, e.g. <c>files-00001.part</c>.</param>
public sealed record FileIndexEntry(string Path, string Type, long Size, DateTimeOffset ModifiedAt, int Mode, string? Sha256, string Volume);
