namespace BackupFunctions.Core.Restores;

/// <summary>
/// What an in-place files restore did (or, after staging, will do once swapped). Files and symbolic links are counted;
/// folders are not.
/// </summary>
/// <param name="Components">The components that are (to be) swapped, in ordinal order; the others are not touched.</param>
/// <param name="Created">Entries the live site did not have.</param>
/// <param name="Overwritten">Live entries replaced by the backup's version (whether or not their content differed).</param>
/// <param name="Deleted">Live entries the backup did not have, removed (only when whole components are restored with overwrite).</param>
/// <param name="Skipped">Entries of the backup that were selected but exist in the live site (overwrite off): left as they are.</param>
/// <param name="Bytes">Bytes of the files written from the backup.</param>
/// <param name="Verified">Files and links checked in the live site against the index after the swap (0 until verified).</param>
/// <param name="Unchanged">
/// Of <paramref name="Overwritten"/>, live files that already held the backup's bytes (proven by SHA-256): kept as they
/// were, hard-linked into the restored component instead of rewritten. <paramref name="Bytes"/> still counts them.
/// </param>
public sealed record InPlaceRestoreCounts(
    IReadOnlyList<string> Components,
    long Created,
    long Overwritten,
    long Deleted,
    long Skipped,
    long Bytes,
    long Verified = 0,
    long Unchanged = 0);
