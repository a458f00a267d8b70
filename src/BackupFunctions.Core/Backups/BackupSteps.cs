namespace BackupFunctions.Core.Backups;

/// <summary>The steps of a backup as the job's progress names them.</summary>
public static class BackupSteps
{
    public const string CreateJob = "create-job";
    public const string PrepareKey = "prepare-key";
    public const string DumpDatabase = "dump-database";
    public const string ArchiveFiles = "archive-files";
    public const string WriteManifest = "write-manifest";
    public const string Replicate = "replicate";
    public const string Verify = "verify";
    public const string RecordBackup = "record-backup";

    public const int Total = 8;
}
