namespace BackupFunctions.Core.Restores;

/// <summary>Something the operator should weigh before restoring; <see cref="Code"/> is one of the constants.</summary>
public sealed record RestoreWarning(string Code, string Message)
{
    /// <summary>The target's file system has less free space than the restore writes, plus a margin.</summary>
    public const string DiskSpace = "diskSpace";

    /// <summary>The dump comes from a newer PostgreSQL major version than the live server's; pg_restore may fail.</summary>
    public const string ServerVersion = "serverVersion";

    /// <summary>A newer successful backup of the config exists.</summary>
    public const string NewerBackup = "newerBackup";
}
