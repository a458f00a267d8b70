namespace BackupFunctions.Core.Retention;

/// <summary>One backup of a retention plan: what the plan does with it and, once applied, what became of it.</summary>
/// <param name="Status">The backup's status when the plan was made (<c>deleting</c>: an earlier removal is being finished).</param>
/// <param name="Decision"><see cref="RetentionEntry.Keep"/> or <see cref="RetentionEntry.Remove"/>.</param>
/// <param name="Reasons">Why: the rules that keep it (<c>daily 2026-11-20</c>, <c>within 30d</c>, <c>newest successful backup</c>…) or why it goes.</param>
/// <param name="LockedUntil">Kept only because an immutability lock forbids removing it before then.</param>
/// <param name="Outcome">Null in a dry run; after applying: <c>removed</c>, <c>locked</c> (kept; a destination refused the
/// delete) or <c>failed</c> (see <paramref name="Error"/>; a started removal stays <c>deleting</c> and is finished next run).</param>
public sealed record RetentionEntry(
    string BackupId,
    DateTimeOffset CreatedAt,
    string Status,
    long SizeBytes,
    string Decision,
    IReadOnlyList<string> Reasons,
    DateTimeOffset? LockedUntil = null,
    string? Outcome = null,
    string? Error = null)
{
    public const string Keep = "keep";
    public const string Remove = "remove";
    public const string Removed = "removed";
    public const string Locked = "locked";
    public const string Failed = "failed";
}
