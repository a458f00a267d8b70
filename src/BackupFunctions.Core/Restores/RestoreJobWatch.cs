using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The watch over one running restore step, as <see cref="JobProgressReporter"/> is for a backup step: writes the
/// stored bytes read to the restore job's row at most once per interval (with a heartbeat at least every
/// <see cref="JobProgressReporter.HeartbeatInterval"/>), and reads the row's cancel flag every interval, tripping
/// <see cref="Token"/> when it is set — unless the step must not stop any more (<c>watchCancel</c> false).
/// </summary>
internal sealed class RestoreJobWatch : IProgress<long>, IAsyncDisposable
{
    private readonly BackupCatalog _catalog;
    private readonly string _jobId;
    private readonly TimeProvider _time;
    private readonly bool _watchCancel;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _cancelled;
    private readonly Task _loop;
    private long _bytes = -1;
    private long _written = -1;
    private DateTimeOffset _lastWrite;

    private RestoreJobWatch(BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, bool watchCancel, ILogger logger, CancellationToken cancellationToken)
    {
        _catalog = catalog;
        _jobId = jobId;
        _time = time;
        _watchCancel = watchCancel;
        _logger = logger;
        _lastWrite = time.GetUtcNow();
        _cancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = RunAsync(new PeriodicTimer(interval, time));
    }

    public CancellationToken Token => _cancelled.Token;

    public bool CancelRequested { get; private set; }

    /// <summary>Stored bytes read so far.</summary>
    public void Report(long value) => Interlocked.Exchange(ref _bytes, value);

    /// <summary>
    /// Runs <paramref name="work"/> under a watch: a cancel request stops it and surfaces as
    /// <see cref="JobCancelledException"/>, whatever the work threw while being stopped.
    /// </summary>
    public static async Task<T> WatchAsync<T>(
        BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, bool watchCancel, ILogger logger,
        Func<RestoreJobWatch, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var watch = new RestoreJobWatch(catalog, jobId, time, interval, watchCancel, logger, cancellationToken);
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
                await WriteAsync(_stop.Token);
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    await WriteAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        var bytes = Interlocked.Read(ref _bytes);
        var now = _time.GetUtcNow();
        try
        {
            RestoreJob? job;
            if ((bytes >= 0 && bytes != _written) || now - _lastWrite >= JobProgressReporter.HeartbeatInterval)
            {
                job = await _catalog.RestoreJobs.UpdateAsync(_jobId, j => j with
                {
                    Progress = JobProgressMath.Sample(bytes >= 0 ? JobProgressMath.WithTransfer(j.Progress, j.Progress.ProcessedFiles, bytes) : j.Progress, now),
                }, cancellationToken);
                _written = bytes;
                _lastWrite = now;
            }
            else
            {
                job = await _catalog.RestoreJobs.GetAsync(_jobId, cancellationToken);
            }

            if (_watchCancel && job is { CancelRequested: true, IsFinished: false } && !CancelRequested)
            {
                CancelRequested = true;
                _logger.LogInformation("Restore job {JobId}: cancel requested, stopping the running step", _jobId);
                await _cancelled.CancelAsync();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Progress is advisory: a failed progress write must never fail the restore itself.
            _logger.LogWarning(e, "Could not write progress of restore job {JobId}", _jobId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        if (Interlocked.Read(ref _bytes) is var bytes && bytes >= 0 && bytes != _written)
            await WriteAsync(CancellationToken.None);
        _cancelled.Dispose();
    }
}
