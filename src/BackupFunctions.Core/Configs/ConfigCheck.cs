namespace BackupFunctions.Core.Configs;

/// <summary>
/// One check of <c>POST /api/backup-configs/{id}/test</c>.
/// </summary>
/// <param name="Name">What was checked: <c>database</c>, <c>pgDump</c>, <c>files.root</c>, <c>files.components[i]</c>, <c>storage[i]</c> (0 the primary), <c>key</c>.</param>
/// <param name="Kind">On failure, what kind: <c>unreachable</c>, <c>refused</c>, <c>auth</c>, <c>missing</c>, <c>permission</c>, <c>version</c>, <c>config</c>, <c>key</c>, or a storage failure kind (<c>storage:…</c>).</param>
/// <param name="Message">What was found, and on failure what to do about it. Never a secret.</param>
public sealed record ConfigCheck(string Name, bool Ok, double DurationMs, string? Kind, string Message);
