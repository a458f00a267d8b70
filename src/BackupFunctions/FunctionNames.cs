namespace BackupFunctions;

/// <summary>Function names: orchestrators and activities are called by name, so the names live in one place.</summary>
public static class FunctionNames
{
    public const string BackupOrchestrator = "BackupOrchestrator";
    public const string StartJob = "StartJob";
    public const string PrepareKey = "PrepareKey";
    public const string DumpDatabase = "DumpDatabase";
    public const string PlanBackup = "PlanBackup";
    public const string ArchiveVolume = "ArchiveVolume";
    public const string AssembleIndex = "AssembleIndex";
    public const string WriteManifest = "WriteManifest";
    public const string ReplicateBackup = "ReplicateBackup";
    public const string RemoveCopy = "RemoveCopy";
    public const string VerifyCopy = "VerifyCopy";
    public const string RecordBackup = "RecordBackup";
    public const string FailJob = "FailJob";
    public const string Notify = "Notify";
    public const string CopyRetryOrchestrator = "CopyRetryOrchestrator";
    public const string PlanCopyRetry = "PlanCopyRetry";
    public const string UpdateCopies = "UpdateCopies";
    public const string ScheduledBackups = "ScheduledBackups";
    public const string PurgeHistory = "PurgeHistory";
    public const string VerificationOrchestrator = "VerificationOrchestrator";
    public const string PlanVerification = "PlanVerification";
    public const string VerifyBackupCopy = "VerifyBackupCopy";
    public const string RecordVerification = "RecordVerification";
    public const string ScheduledDeepVerification = "ScheduledDeepVerification";
    public const string RetentionOrchestrator = "RetentionOrchestrator";
    public const string ApplyRetention = "ApplyRetention";
    public const string EvaluateAlerts = "EvaluateAlerts";
    public const string JobWatchdog = "JobWatchdog";
    public const string RestoreDrillOrchestrator = "RestoreDrillOrchestrator";
    public const string StartRestoreDrill = "StartRestoreDrillStep";
    public const string RestoreDrillScratch = "RestoreDrillScratch";
    public const string RunDrillChecks = "RunDrillChecks";
    public const string CleanupRestoreDrill = "CleanupRestoreDrill";
    public const string RecordRestoreDrill = "RecordRestoreDrill";
    public const string ScheduledRestoreDrills = "ScheduledRestoreDrills";
    public const string RestoreOrchestrator = "RestoreOrchestrator";
    public const string StartRestore = "StartRestore";
    public const string PreparePreRestoreBackup = "PreparePreRestoreBackup";
    public const string CancelPreRestoreBackup = "CancelPreRestoreBackup";
    public const string RecordPreRestoreBackup = "RecordPreRestoreBackup";
    public const string ProveRestore = "ProveRestore";
    public const string StageRestoreFiles = "StageRestoreFiles";
    public const string SwapRestoreFiles = "SwapRestoreFiles";
    public const string RestoreDatabase = "RestoreDatabase";
    public const string VerifyRestore = "VerifyRestore";
    public const string CompleteRestore = "CompleteRestore";
    public const string RollbackRestoreFiles = "RollbackRestoreFiles";
    public const string RollbackRestoreDatabase = "RollbackRestoreDatabase";
    public const string FailRestore = "FailRestore";
    public const string NotifyRestore = "NotifyRestore";
}
