using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What a part-writing step needs: the plan and the WRAPPED data key (each step unwraps it for itself); the key is
/// null when the config's encryption is <c>none</c>.
/// </summary>
public sealed record PartInput(BackupPlan Plan, KeyEnvelope? Key);
