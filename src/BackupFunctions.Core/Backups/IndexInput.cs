namespace BackupFunctions.Core.Backups;

/// <summary>What the step joining the volumes' index entries needs: the run, its key, the plan's result and every volume written.</summary>
public sealed record IndexInput(BackupPlan Plan, PreparedKey? Key, VolumePlanResult Planned, IReadOnlyList<VolumeResult> Volumes);
