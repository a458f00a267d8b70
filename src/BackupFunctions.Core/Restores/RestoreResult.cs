using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>What a restore wrote, after every check passed.</summary>
public sealed record RestoreResult(string BackupId, long Files, long Bytes, bool DatabaseRestored, IReadOnlyList<TableRowCount> Tables)
{
    /// <summary>
    /// A note, not an error: the restored symbolic links whose target is absolute, leads out of the restored folder or
    /// does not resolve — restored exactly as the site had them, so their targets must exist on this host for them to
    /// work. The first <see cref="OutsideLink.MaxListed"/>; <see cref="OutsideLinkCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<OutsideLink> OutsideLinks { get; init; } = [];

    public long OutsideLinkCount { get; init; }
}
