namespace BackupFunctions.Core.Retention;

/// <summary>What the plan does with one backup, and why (e.g. <c>daily 2026-11-20</c>, <c>newest successful backup</c>).</summary>
/// <param name="Locked">It would be removed, but an immutability lock forbids it until then: kept and reported.</param>
public sealed record RetentionDecision(string Id, bool Keep, IReadOnlyList<string> Reasons, DateTimeOffset? Locked = null);
