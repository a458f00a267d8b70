namespace BackupFunctions.Core.Backups;

/// <summary>
/// A step stopped because its job's cancel was requested. Not an <see cref="OperationCanceledException"/> on purpose:
/// hosts treat those as their own shutdown; this one is the job's outcome, and the orchestration turns it into
/// <c>cancelled</c> (never retried).
/// </summary>
public sealed class JobCancelledException : Exception
{
    public JobCancelledException()
        : this("The job was cancelled.")
    {
    }

    public JobCancelledException(string message)
        : base(message)
    {
    }

    public JobCancelledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A step of a job that has ended meanwhile (the watchdog failed it, say) and must not commit anything.</summary>
    public static JobCancelledException NoLongerRunning(string jobId, string status)
        => new($"Job {jobId} is {status}, no longer running: it commits nothing more.");

    /// <summary>The message every cancelled step gives.</summary>
    public static JobCancelledException For(string jobId, Exception? cause = null)
        => cause is null ? new($"Job {jobId} was cancelled on request.") : new($"Job {jobId} was cancelled on request.", cause);
}
