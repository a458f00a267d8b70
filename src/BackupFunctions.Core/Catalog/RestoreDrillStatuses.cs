namespace BackupFunctions.Core.Catalog;

/// <summary>The words of <see cref="RestoreDrill.Status"/>.</summary>
public static class RestoreDrillStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";

    /// <summary>Restored, row counts and file hashes matched, every recorded check answered the same.</summary>
    public const string Passed = "passed";

    /// <summary>Something did not restore or did not match; a critical restore_drill_failed alert says what.</summary>
    public const string Failed = "failed";

    public const string Cancelled = "cancelled";

    /// <summary>A scheduled drill whose slot came while another drill of the config was still running.</summary>
    public const string Skipped = "skipped";

    public static bool IsFinished(string status) => status is not (Pending or Running);
}
