using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The watch over one running step. Collects file/byte progress and writes it to the job row at most once per interval
/// (a backup of a million small files does not turn into a million table writes), with the speed sampled at each write;
/// writes a heartbeat at least every <see cref="HeartbeatInterval"/> so the watchdog sees the step is alive; and reads
/// the row's cancel flag every interval, tripping <see cref="Token"/> when it is set. The last values are written on dispose.
/// </summary>
public sealed class JobProgressReporter : IProgress<ArchiveProgress>, IProgress<long>, IAsyncDisposable
{
    /// <summary>A step that moves no bytes still touches its row this often.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(1);

    private readonly BackupCatalog _catalog;
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _cancelled;
    private readonly Task _loop;
    private long _files = -1;
    private long _bytes = -1;
    private long _databaseBytes = -1;
    private long _writtenFiles = -1;
    private long _writtenBytes = -1;
    private long _writtenDatabaseBytes = -1;
    private DateTimeOffset _lastWrite;

    /// <param name="cancellationToken">The step's own token; <see cref="Token"/> trips with it too.</param>
    public JobProgressReporter(BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, ILogger logger,
        CancellationToken cancellationToken = default)
    {
        _catalog = catalog;
        _jobId = jobId;
        _time = time;
        _logger = logger;
        _lastWrite = time.GetUtcNow();
        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = RunAsync(new PeriodicTimer(interval, time));
    }

    /// <summary>The token the step works with: cancelled when the job's cancel is requested (or the step's own token is).</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>True once the watch has seen the job's cancel flag.</summary>
    public bool CancelRequested { get; private set; }

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
    public static async Task<T> WatchAsync<T>(
        BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, ILogger logger,
        Func<JobProgressReporter, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var watch = new JobProgressReporter(catalog, jobId, time, interval, logger, cancellationToken);
        await using (watch)
        {
            try
            {
                return await work(watch, watch.Token);
            }
            catch (Exception e) when (watch.CancelRequested && !cancellationToken.IsCancellationRequested && e is not JobCancelledException)
            {
                throw JobCancelledException.For(jobId, e);
            }
        }
    }

    private async Task RunAsync(PeriodicTimer timer)
    {
        using (timer)
        {
            try
            {
                // A cancel requested before the step began stops it at once, not one interval later.
                await WriteAsync(_stop.Token);
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    await WriteAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var files = Interlocked.Read(ref _files);
        var bytes = Interlocked.Read(ref _bytes);
        var databaseBytes = Interlocked.Read(ref _databaseBytes);
        var changed = files != _writtenFiles || bytes != _writtenBytes || databaseBytes != _writtenDatabaseBytes;
        var now = _time.GetUtcNow();
        try
        {
            BackupJob? job;
            if (changed || now - _lastWrite >= HeartbeatInterval)
            {
                job = await _catalog.Jobs.UpdateAsync(_jobId, j => j with { Progress = Apply(j.Progress, files, bytes, databaseBytes, now) }, cancellationToken);
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
            if (job is { CancelRequested: true, IsFinished: false } && !CancelRequested)
            {
                CancelRequested = true;
                _logger.LogInformation("Job {JobId}: cancel requested, stopping the running step", _jobId);
                await _cancelled.CancelAsync();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Progress is advisory: a failed progress write must never fail the backup itself.
            _logger.LogWarning(e, "Could not write progress of job {JobId}", _jobId);
        }
    }

    private static JobProgress Apply(JobProgress progress, long files, long bytes, long databaseBytes, DateTimeOffset now)
    {
        if (files >= 0)
            progress = JobProgressMath.WithTransfer(progress, files, bytes);
        if (databaseBytes >= 0)
            progress = JobProgressMath.WithDatabaseBytes(progress, databaseBytes);
        return JobProgressMath.Sample(progress, now);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        var files = Interlocked.Read(ref _files);
        var bytes = Interlocked.Read(ref _bytes);
        var databaseBytes = Interlocked.Read(ref _databaseBytes);
        if (files != _writtenFiles || bytes != _writtenBytes || databaseBytes != _writtenDatabaseBytes)
            await WriteAsync(CancellationToken.None);
        _cancelled.Dispose();
    }
}
