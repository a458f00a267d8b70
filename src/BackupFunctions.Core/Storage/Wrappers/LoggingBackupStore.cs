using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Storage.Wrappers;

/// <summary>
/// Logs every destination call with its duration, and each failure with its <see cref="StoreFailureKind"/>.
/// Only object names and the store's location are logged: stores keep secrets out of both.
/// </summary>
public sealed partial class LoggingBackupStore(IBackupStore inner, ILogger logger) : IBackupStore, IBackupStoreWrapper
{
    public IBackupStore Inner => inner;

    public string Location => inner.Location;

    public Task PutAsync(string name, Stream content, CancellationToken cancellationToken) =>
        LogAsync("put", name, () => inner.PutAsync(name, content, cancellationToken));

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) =>
        LogAsync("read", name, () => inner.OpenReadAsync(name, cancellationToken));

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken) =>
        LogAsync("read range", name, () => inner.OpenReadRangeAsync(name, offset, length, cancellationToken));

    public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) =>
        LogAsync("get info", name, () => inner.GetInfoAsync(name, cancellationToken));

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        LogAsync("delete", name, () => inner.DeleteAsync(name, cancellationToken));

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) =>
        LogAsync("delete temporary", name, () => inner.DeleteTemporaryAsync(name, cancellationToken));

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) =>
        LogListAsync("list", prefix, inner.ListAsync(prefix, cancellationToken), cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken) =>
        LogListAsync("list temporary", prefix, inner.ListTemporaryAsync(prefix, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<StoredObjectInfo> LogListAsync(
        string operation, string prefix, IAsyncEnumerable<StoredObjectInfo> listing, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var count = 0;
        await using var enumerator = listing.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                    break;
            }
            catch (StoreException ex)
            {
                LogFailed(logger, ex, operation, prefix, inner.Location, ex.Kind);
                throw;
            }
            count++;
            yield return enumerator.Current;
        }
        LogListed(logger, operation, inner.Location, prefix, count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task LogAsync(string operation, string name, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await call();
        }
        catch (StoreException ex)
        {
            LogFailed(logger, ex, operation, name, inner.Location, ex.Kind);
            throw;
        }
        LogDone(logger, operation, name, inner.Location, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<T> LogAsync<T>(string operation, string name, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        T result;
        try
        {
            result = await call();
        }
        catch (StoreException ex) when (ex is not StoreObjectNotFoundException)
        {
            LogFailed(logger, ex, operation, name, inner.Location, ex.Kind);
            throw;
        }
        LogDone(logger, operation, name, inner.Location, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage {Operation} {ObjectName} at {StoreLocation} took {ElapsedMs:F0} ms")]
    private static partial void LogDone(ILogger logger, string operation, string objectName, string storeLocation, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Storage {Operation} {Prefix} at {StoreLocation}: {Count} objects in {ElapsedMs:F0} ms")]
    private static partial void LogListed(ILogger logger, string operation, string storeLocation, string prefix, int count, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage {Operation} {ObjectName} at {StoreLocation} failed ({FailureKind})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string operation, string objectName, string storeLocation, StoreFailureKind failureKind);
}
