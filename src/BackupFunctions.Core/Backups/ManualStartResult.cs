using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Backups;

/// <summary>The answer of <see cref="BackupLauncher.StartNowAsync(string, string, IBackupStarter, CancellationToken)"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Job">The new job when <see cref="ManualStartOutcome.Started"/>, else null.</param>
/// <param name="Reason">Why nothing started, for people, when <see cref="ManualStartOutcome.AtConcurrencyLimit"/> or <see cref="ManualStartOutcome.RestoreRunning"/>.</param>
public sealed record ManualStartResult(ManualStartOutcome Outcome, BackupJob? Job = null, string? Reason = null);
