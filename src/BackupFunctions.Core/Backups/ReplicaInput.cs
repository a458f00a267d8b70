namespace BackupFunctions.Core.Backups;

/// <summary>Which copy of the backup a replicate or verify step works on: 0 is the primary, 1… the config's replicas.</summary>
public sealed record ReplicaInput(BackupPlan Plan, int Index);
