namespace BackupFunctions.Core.Restores;

/// <summary>The steps of a restore job as its progress names them.</summary>
public static class RestoreJobSteps
{
    public const string Start = "start";
    public const string PreRestoreBackup = "pre-restore-backup";
    public const string Prove = "prove";
    public const string StageFiles = "stage-files";
    public const string SwapFiles = "swap-files";
    public const string RestoreDatabase = "restore-database";
    public const string Verify = "verify";
    public const string Complete = "complete";
    public const string Rollback = "rollback";

    public const int Total = 8;
}
