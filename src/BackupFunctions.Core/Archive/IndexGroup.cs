namespace BackupFunctions.Core.Archive;

/// <summary>
/// One group of a backup's file index (docs/format.md, "Incremental backups"): the entries of one of its own volumes
/// (<see cref="Backup"/> null), or the entries that point into one volume of an earlier backup. A reader extracts each
/// group from its volume: an own volume in full, a referenced one sparsely (only the entries the group lists).
/// </summary>
/// <param name="Backup">The earlier backup holding <see cref="Volume"/>; null for the backup's own volume.</param>
/// <param name="Volume">The volume's part name, e.g. <c>files-00001.part</c>.</param>
public sealed record IndexGroup(string? Backup, string Volume)
{
    /// <summary>Whether the group's volume belongs to an earlier backup (and is read sparsely).</summary>
    public bool IsReferenced => Backup is not null;

    /// <summary>How errors name the group's volume: <c>files-00001.part</c>, or <c>&lt;backup&gt;/files-00001.part</c>.</summary>
    public string Label => Backup is null ? Volume : Backup + "/" + Volume;

    /// <summary>Whether <paramref name="entry"/> belongs to this group (same backup, same volume).</summary>
    public bool Holds(FileIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return string.Equals(entry.Backup, Backup, StringComparison.Ordinal) && string.Equals(entry.Volume, Volume, StringComparison.Ordinal);
    }

    /// <summary>An own volume's group.</summary>
    public static IndexGroup Own(string volume) => new(null, volume);
}
