using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The watch over one running restore step, as <see cref="JobProgressReporter"/> is for a backup step (the loop is
/// <see cref="JobWatch"/>'s): writes the
/// files and bytes the step has processed (extracted into staging, or verified) to the restore job's row at most once
/// per interval (with a heartbeat at least every
/// <see cref="JobProgressReporter.HeartbeatInterval"/>), and reads the row's cancel flag every interval, tripping
/// <see cref="JobWatch.Token"/> when it is set — unless the step must not stop any more (<c>watchCancel</c> false).
/// </summary>
internal sealed class RestoreJobWatch : JobWatch, IProgress<ArchiveProgress>
{
    private readonly BackupCatalog _catalog;
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly bool _watchCancel;
    private readonly ILogger _logger;
    private long _files = -1;
    private long _bytes = -1;
    private long _writtenFiles = -1;
    private long _writtenBytes = -1;
    private DateTimeOffset _lastWrite;

    private RestoreJobWatch(BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, bool watchCancel, ILogger logger, CancellationToken cancellationToken)
        : base(cancellationToken)
    {
        _catalog = catalog;
        _jobId = jobId;
        _time = time;
        _watchCancel = watchCancel;
        _logger = logger;
        _lastWrite = time.GetUtcNow();
        Start(interval, time);
    }

    /// <summary>Files (and links) and their bytes processed so far by the running step.</summary>
    public void Report(ArchiveProgress value)
    {
        Interlocked.Exchange(ref _files, value.Files);
        Interlocked.Exchange(ref _bytes, value.Bytes);
    }

    /// <summary>
    /// Runs <paramref name="work"/> under a watch: a cancel request stops it and surfaces as
    /// <see cref="JobCancelledException"/>, whatever the work threw while being stopped.
    /// </summary>
    public static Task<T> WatchAsync<T>(
        BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, bool watchCancel, ILogger logger,
        Func<RestoreJobWatch, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RunAsync(new RestoreJobWatch(catalog, jobId, time, interval, watchCancel, logger, cancellationToken), jobId, work, cancellationToken);

    protected override bool HasUnwritten =>
        Interlocked.Read(ref _files) != _writtenFiles || Interlocked.Read(ref _bytes) != _writtenBytes;

    protected override void OnCancelRequested() => _logger.LogInformation("Restore job {JobId}: cancel requested, stopping the running step", _jobId);

    // Progress is advisory: a failed progress write must never fail the restore itself.
    protected override void OnWriteFailed(Exception exception) => _logger.LogWarning(exception, "Could not write progress of restore job {JobId}", _jobId);

    protected override async Task<bool> WriteAsync(CancellationToken cancellationToken)
    {
        var files = Interlocked.Read(ref _files);
        var bytes = Interlocked.Read(ref _bytes);
        var now = _time.GetUtcNow();
        RestoreJob? job;
        if (files != _writtenFiles || bytes != _writtenBytes || now - _lastWrite >= JobProgressReporter.HeartbeatInterval)
        {
            job = await _catalog.RestoreJobs.UpdateAsync(_jobId, j => j with
            {
                Progress = JobProgressMath.Sample(files >= 0 ? JobProgressMath.WithTransfer(j.Progress, files, bytes) : j.Progress, now),
            }, cancellationToken);
            _writtenFiles = files;
            _writtenBytes = bytes;
            _lastWrite = now;
        }
        else
        {
            job = await _catalog.RestoreJobs.GetAsync(_jobId, cancellationToken);
        }

        return _watchCancel && job is { CancelRequested: true, IsFinished: false };
    }
}
