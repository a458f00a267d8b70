using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;

namespace BackupFunctions.Core.Storage.Wrappers;

/// <summary>
/// Retries what a destination reports as transient (<see cref="StoreTransientException"/>) with exponential backoff
/// and jitter, so no backend needs retry code of its own.
/// </summary>
/// <remarks>
/// A put is retried only when its source can be rewound (<see cref="Stream.CanSeek"/>): a streamed part (pg_dump
/// output, a tar being written) cannot be replayed here, so its put fails and the activity retries the whole step.
/// A listing that breaks after it has yielded names resumes after the last name it yielded (listings are in
/// ordinal order), so the caller never sees a name twice.
/// </remarks>
public sealed class RetryingBackupStore : IBackupStore, IBackupStoreWrapper
{
    private readonly IBackupStore _inner;
    private readonly ResiliencePipeline _pipeline;
    private readonly int _maxRetries;
    private readonly TimeSpan _baseDelay;
    private readonly TimeProvider _time;

    /// <param name="maxRetries">Retries after the first attempt.</param>
    /// <param name="baseDelay">The first delay; each further one doubles (with jitter).</param>
    public RetryingBackupStore(IBackupStore inner, int maxRetries = 4, TimeSpan? baseDelay = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetries);
        _inner = inner;
        _maxRetries = maxRetries;
        _baseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        _time = timeProvider ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<StoreTransientException>(),
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _baseDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
            });
        }
        _pipeline = builder.Build();
    }

    /// <summary>The wrapped store.</summary>
    public IBackupStore Inner => _inner;

    public string Location => _inner.Location;

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            await _inner.PutAsync(name, content, cancellationToken);
            return;
        }
        var start = content.Position;
        await _pipeline.ExecuteAsync(async ct =>
        {
            content.Position = start;
            await _inner.PutAsync(name, content, ct);
        }, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await _inner.OpenReadAsync(name, ct), cancellationToken);

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await _inner.OpenReadRangeAsync(name, offset, length, ct), cancellationToken);

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await _inner.GetInfoAsync(name, ct), cancellationToken);

    public async Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await _inner.DeleteAsync(name, ct), cancellationToken);

    public async Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await _inner.DeleteTemporaryAsync(name, ct), cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) =>
        ResumingListAsync(() => _inner.ListAsync(prefix, cancellationToken), cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken) =>
        ResumingListAsync(() => _inner.ListTemporaryAsync(prefix, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<StoredObjectInfo> ResumingListAsync(
        Func<IAsyncEnumerable<StoredObjectInfo>> list, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? lastYielded = null;
        var attempt = 0;
        while (true)
        {
            var enumerator = list().GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    StoredObjectInfo current;
                    try
                    {
                        if (!await enumerator.MoveNextAsync())
                            yield break;
                        current = enumerator.Current;
                    }
                    catch (StoreTransientException) when (attempt < _maxRetries)
                    {
                        break;
                    }
                    // A resumed listing starts again from the prefix: skip what the caller already has.
                    if (lastYielded is not null && string.CompareOrdinal(current.Name, lastYielded) <= 0)
                        continue;
                    lastYielded = current.Name;
                    yield return current;
                }
            }
            finally
            {
                await enumerator.DisposeAsync();
            }
            attempt++;
            await Task.Delay(_baseDelay * Math.Min(30, Math.Pow(2, attempt - 1)), _time, cancellationToken);
        }
    }
}
