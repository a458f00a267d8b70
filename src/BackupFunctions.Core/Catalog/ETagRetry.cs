using System.Net;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The catalog's one optimistic-concurrency loop: read a row, decide, write it back only if nobody changed it since
/// (If-Match with the read's ETag; an insert when there was no row), and on a lost race read again and decide again.
/// A lost race is a <c>412</c> (the row changed), a <c>409</c> (someone inserted it first) or a <c>404</c> (someone
/// deleted it): the next attempt sees the row as it is now, so a decision made on a row that is gone becomes the
/// caller's own not-found answer. Each lost race means another writer won, so n writers of one row finish within
/// about n attempts; after <see cref="MaxAttempts"/> the last service error propagates.
/// </summary>
internal sealed class ETagRetry
{
    public const int DefaultMaxAttempts = 25;

    private const int MaxBackoffMs = 1000;

    private readonly Func<int, CancellationToken, Task> _backoff;

    /// <param name="backoff">Waits after the lost attempt it is given (1-based) before the next.</param>
    public ETagRetry(int maxAttempts, Func<int, CancellationToken, Task> backoff)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentNullException.ThrowIfNull(backoff);
        MaxAttempts = maxAttempts;
        _backoff = backoff;
    }

    /// <summary><see cref="DefaultMaxAttempts"/> attempts with <see cref="JitteredBackoffAsync"/> between them.</summary>
    public static ETagRetry Default { get; } = new(DefaultMaxAttempts, JitteredBackoffAsync);

    public int MaxAttempts { get; }

    /// <summary>
    /// Exponential backoff with full jitter spreads out writers that keep colliding. It is a real-time wait on purpose
    /// (not TimeProvider): it paces service calls and decides nothing a clock would be asked about.
    /// </summary>
    public static Task JitteredBackoffAsync(int attempt, CancellationToken cancellationToken)
        => Task.Delay(RandomNumberGenerator.GetInt32(1, Math.Min(MaxBackoffMs, 10 << Math.Min(attempt, 16))), cancellationToken);

    /// <summary>Whether a write failed because another writer got to the row first.</summary>
    public static bool IsLostRace(RequestFailedException e)
        => e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict or (int)HttpStatusCode.NotFound;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its 1-based number) until it returns, retrying after a lost race
    /// (<see cref="IsLostRace"/>) with backoff; any other error, and a lost race on the last attempt, propagates.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<int, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(number, cancellationToken);
            }
            catch (RequestFailedException e) when (IsLostRace(e) && number < MaxAttempts)
            {
                await _backoff(number, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Reads the row (null when there is none, or <paramref name="rowKey"/> cannot be a key), lets
    /// <paramref name="decide"/> choose, and writes conditionally; retried as <see cref="RunAsync"/> says, so
    /// <paramref name="decide"/> must be a pure function of the row it is given (it may run several times).
    /// </summary>
    public Task<T> ReadModifyWriteAsync<T>(
        TableClient table, string partition, string rowKey, Func<TableEntity?, RowChange<T>> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(decide);
        return RunAsync(async (_, ct) =>
        {
            var current = await CatalogTables.GetRowAsync(table, partition, rowKey, ct);
            var change = decide(current);
            if (change.Row is { } row)
            {
                if (current is null)
                    await table.AddEntityAsync(row, ct);
                else
                    await table.UpdateEntityAsync(row, current.ETag, TableUpdateMode.Replace, ct);
            }
            return change.Result;
        }, cancellationToken);
    }
}
