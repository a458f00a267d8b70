namespace BackupFunctions.Core.Backups;

/// <summary>
/// The loop shared by the watches over a running step (<see cref="JobProgressReporter"/> for backup jobs,
/// Restores.RestoreJobWatch for restore jobs): every interval the job's row is written (what changed, or a heartbeat)
/// and read, and the row's cancel flag trips <see cref="Token"/>. A derived watch says what to write; the timing,
/// the cancel, the final write on dispose and "progress never fails the step" live here once.
/// </summary>
public abstract class JobWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _cancelled;
    private Task _loop = Task.CompletedTask;

    /// <param name="cancellationToken">The step's own token; <see cref="Token"/> trips with it too.</param>
    protected JobWatch(CancellationToken cancellationToken)
        => _cancelled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

    /// <summary>The token the step works with: cancelled when the job's cancel is requested (or the step's own token is).</summary>
    public CancellationToken Token => _cancelled.Token;

    /// <summary>True once the watch has seen the job's cancel flag.</summary>
    public bool CancelRequested { get; private set; }

    /// <summary>Whether something reported is not written yet (written once more when the watch ends).</summary>
    protected abstract bool HasUnwritten { get; }

    /// <summary>Starts the loop; the derived constructor calls it last, once its own fields are set.</summary>
    protected void Start(TimeSpan interval, TimeProvider time) => _loop = RunAsync(new PeriodicTimer(interval, time));

    /// <summary>Writes what changed (or a heartbeat) and reads the row: true when the row asks the running step to stop.</summary>
    protected abstract Task<bool> WriteAsync(CancellationToken cancellationToken);

    /// <summary>Logs that the cancel flag was seen.</summary>
    protected abstract void OnCancelRequested();

    /// <summary>Logs a failed write: progress is advisory and never fails the step.</summary>
    protected abstract void OnWriteFailed(Exception exception);

    /// <summary>
    /// Runs <paramref name="work"/> under <paramref name="watch"/>: a cancel request stops it and surfaces as
    /// <see cref="JobCancelledException"/>, whatever the work threw while being stopped.
    /// </summary>
    protected static async Task<T> RunAsync<TWatch, T>(
        TWatch watch, string jobId, Func<TWatch, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        where TWatch : JobWatch
    {
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(work);
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
                await TickAsync(_stop.Token);
                while (await timer.WaitForNextTickAsync(_stop.Token))
                    await TickAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await WriteAsync(cancellationToken) && !CancelRequested)
            {
                CancelRequested = true;
                OnCancelRequested();
                await _cancelled.CancelAsync();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            OnWriteFailed(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        if (HasUnwritten)
            await TickAsync(CancellationToken.None);
        _cancelled.Dispose();
        GC.SuppressFinalize(this);
    }
}
