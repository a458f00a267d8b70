using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Restores;

/// <summary>What <see cref="RestoreLauncher"/> did with a restore request.</summary>
/// <param name="BackupId">The backup restored (or previewed): the one asked for, or the one a point in time chose.</param>
/// <param name="Errors">For <see cref="RestoreStartOutcome.Invalid"/>: each bad field (the API's camelCase name) with why.</param>
/// <param name="Reason">For <see cref="RestoreStartOutcome.Conflict"/> and <see cref="RestoreStartOutcome.NotFound"/>: why, in words for the caller.</param>
public sealed record RestoreStartResult(
    RestoreStartOutcome Outcome,
    string? BackupId = null,
    RestoreJob? Job = null,
    RestorePreview? Preview = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    string? Reason = null);
