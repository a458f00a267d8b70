using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>What a part-writing step needs: the plan and the WRAPPED data key (each step unwraps it for itself).</summary>
public sealed record PartInput(BackupPlan Plan, KeyEnvelope Key);
