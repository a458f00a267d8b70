using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The watch over one running step. Collects file/byte progress and writes it to the job row at most once per interval
/// (a backup of a million small files does not turn into a million table writes), with the speed sampled at each write;
/// writes a heartbeat at least every <see cref="HeartbeatInterval"/> so the watchdog sees the step is alive; and reads
/// the row's cancel flag every interval, tripping <see cref="JobWatch.Token"/> when it is set. The last values are written on dispose.
/// </summary>
public sealed class JobProgressReporter : JobWatch, IProgress<ArchiveProgress>, IProgress<long>
{
    /// <summary>A step that moves no bytes still touches its row this often.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(1);

    private readonly BackupCatalog _catalog;
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _files = -1;
    private long _bytes = -1;
    private long _databaseBytes = -1;
    private long _writtenFiles = -1;
    private long _writtenBytes = -1;
    private long _writtenDatabaseBytes = -1;
    private DateTimeOffset _lastWrite;

    /// <summary>
    /// Files and bytes are this step's share, added to what the row says, rather than the job's total: for the file
    /// volumes, written by several activities at once.
    /// </summary>
    private bool _additive;

    /// <param name="cancellationToken">The step's own token; <see cref="JobWatch.Token"/> trips with it too.</param>
    public JobProgressReporter(BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, ILogger logger,
        CancellationToken cancellationToken = default)
        : base(cancellationToken)
    {
        _catalog = catalog;
        _jobId = jobId;
        _time = time;
        _logger = logger;
        _lastWrite = time.GetUtcNow();
        Start(interval, time);
    }

    public void Report(ArchiveProgress value)
    {
        Interlocked.Exchange(ref _files, value.Files);
        Interlocked.Exchange(ref _bytes, value.Bytes);
    }

    /// <summary>Bytes of database dump written so far.</summary>
    public void ReportDatabaseBytes(long bytes) => Interlocked.Exchange(ref _databaseBytes, bytes);

    /// <summary>As <see cref="ReportDatabaseBytes"/>: the dump writer reports through <see cref="IProgress{T}"/>.</summary>
    void IProgress<long>.Report(long value) => ReportDatabaseBytes(value);

    /// <summary>
    /// Runs <paramref name="work"/> under a watch: a cancel request stops it and surfaces as
    /// <see cref="JobCancelledException"/>, whatever the work threw while being stopped.
    /// </summary>
    public static Task<T> WatchAsync<T>(
        BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, ILogger logger,
        Func<JobProgressReporter, CancellationToken, Task<T>> work, CancellationToken cancellationToken, bool additive = false)
        => RunAsync(new JobProgressReporter(catalog, jobId, time, interval, logger, cancellationToken) { _additive = additive }, jobId, work, cancellationToken);

    protected override bool HasUnwritten =>
        Interlocked.Read(ref _files) != _writtenFiles || Interlocked.Read(ref _bytes) != _writtenBytes
        || Interlocked.Read(ref _databaseBytes) != _writtenDatabaseBytes;

    protected override void OnCancelRequested() => _logger.LogInformation("Job {JobId}: cancel requested, stopping the running step", _jobId);

    // Progress is advisory: a failed progress write must never fail the backup itself.
    protected override void OnWriteFailed(Exception exception) => _logger.LogWarning(exception, "Could not write progress of job {JobId}", _jobId);

    protected override async Task<bool> WriteAsync(CancellationToken cancellationToken)
    {
        var files = Interlocked.Read(ref _files);
        var bytes = Interlocked.Read(ref _bytes);
        var databaseBytes = Interlocked.Read(ref _databaseBytes);
        var changed = files != _writtenFiles || bytes != _writtenBytes || databaseBytes != _writtenDatabaseBytes;
        var now = _time.GetUtcNow();
        BackupJob? job;
        if (changed || now - _lastWrite >= HeartbeatInterval)
        {
            var (addedFiles, addedBytes) = (files - Math.Max(_writtenFiles, 0), bytes - Math.Max(_writtenBytes, 0));
            job = await _catalog.Jobs.UpdateAsync(_jobId, j => j with
            {
                Progress = _additive && files >= 0
                    ? Apply(j.Progress, j.Progress.ProcessedFiles + addedFiles, j.Progress.ProcessedBytes + addedBytes, databaseBytes, now)
                    : Apply(j.Progress, files, bytes, databaseBytes, now),
            }, cancellationToken);
            _writtenFiles = files;
            _writtenBytes = bytes;
            _writtenDatabaseBytes = databaseBytes;
            _lastWrite = now;
        }
        else
        {
            job = await _catalog.Jobs.GetAsync(_jobId, cancellationToken);
        }

        // A finished job's flag came too late to matter (a copy retry later runs under the same job).
        return job is { CancelRequested: true, IsFinished: false };
    }

    private static JobProgress Apply(JobProgress progress, long files, long bytes, long databaseBytes, DateTimeOffset now)
    {
        if (files >= 0)
            progress = JobProgressMath.WithTransfer(progress, files, bytes);
        if (databaseBytes >= 0)
            progress = JobProgressMath.WithDatabaseBytes(progress, databaseBytes);
        return JobProgressMath.Sample(progress, now);
    }
}
