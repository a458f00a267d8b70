namespace BackupFunctions.Core.Restores;

/// <summary>
/// One group of a <see cref="FilePreview"/>: how many entries (files, folders and links), the bytes of its files, and the
/// first <see cref="MaxListed"/> paths in archive order (depth-first, siblings in ordinal order, folders without a
/// trailing '/').
/// </summary>
/// <param name="Bytes">
/// File bytes: from the backup for create, overwrite and skipped (what would be written), from the live file for
/// delete and unchanged.
/// </param>
public sealed record PreviewPathGroup(long Count, long Bytes, IReadOnlyList<string> Paths)
{
    public const int MaxListed = 1000;

    /// <summary>Whether <see cref="Paths"/> lists only the first <see cref="MaxListed"/> of <see cref="Count"/>.</summary>
    public bool Truncated => Count > Paths.Count;
}
