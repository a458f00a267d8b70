using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Retention;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// How a create, replace or delete of a config ended (<see cref="BackupConfigEditor"/>).
/// </summary>
/// <param name="Config">The config as stored now (as it is, when <see cref="ConfigEditOutcome.Stale"/>).</param>
/// <param name="Errors">Field (input path) → messages, for <see cref="ConfigEditOutcome.Invalid"/>.</param>
/// <param name="Reason">Why not, for <see cref="ConfigEditOutcome.Busy"/>.</param>
/// <param name="Backups">A delete with its backups: what became of each.</param>
public sealed record ConfigEditResult(
    ConfigEditOutcome Outcome,
    StoredBackupConfig? Config = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    string? Reason = null,
    RetentionReport? Backups = null);
