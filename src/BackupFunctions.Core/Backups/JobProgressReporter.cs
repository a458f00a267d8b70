using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Collects file/byte progress from a long step and writes it to the job row at most once per interval, so a
/// backup of a million small files does not turn into a million table writes. The last values are written on dispose.
/// </summary>
public sealed class JobProgressReporter : IProgress<ArchiveProgress>, IAsyncDisposable
{
    private readonly BackupCatalog _catalog;
    private readonly string _jobId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _files;
    private long _bytes;
    private long _writtenFiles = -1;
    private long _writtenBytes = -1;

    public JobProgressReporter(BackupCatalog catalog, string jobId, TimeProvider time, TimeSpan interval, ILogger logger)
    {
        _catalog = catalog;
        _jobId = jobId;
        _logger = logger;
        _loop = RunAsync(new PeriodicTimer(interval, time));
    }

    public void Report(ArchiveProgress value)
    {
        Interlocked.Exchange(ref _files, value.Files);
        Interlocked.Exchange(ref _bytes, value.Bytes);
    }

    private async Task RunAsync(PeriodicTimer timer)
    {
        using (timer)
        {
            try
            {
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
        if (files == _writtenFiles && bytes == _writtenBytes)
            return;
        try
        {
            await _catalog.UpdateJobAsync(_jobId, job => job with
            {
                Progress = JobProgressMath.WithTransfer(job.Progress, files, bytes),
            }, cancellationToken);
            _writtenFiles = files;
            _writtenBytes = bytes;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Progress is advisory: a failed progress write must never fail the backup itself.
            _logger.LogWarning(e, "Could not write progress of job {JobId}", _jobId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        await WriteAsync(CancellationToken.None);
    }
}
