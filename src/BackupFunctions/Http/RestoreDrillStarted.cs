namespace BackupFunctions.Http;

/// <summary>The answer to <c>POST /api/backup-configs/{id}/restore-drill</c> (202): the drill, followed at <c>/api/restore-drills/{drillId}</c>.</summary>
public sealed record RestoreDrillStarted(string DrillId, string ConfigId, string Status);
