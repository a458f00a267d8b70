namespace BackupFunctions.Core.Storage.Wrappers;

/// <summary>
/// Bounds the calls in flight against one destination (an SFTP or FTP server takes a few connections; a small
/// storage account throttles). A read holds its slot until its stream is disposed, because the transfer is the load.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose.")]
public sealed class ThrottlingBackupStore : IBackupStore, IBackupStoreWrapper
{
    private readonly IBackupStore _inner;
    private readonly SemaphoreSlim _slots;

    public ThrottlingBackupStore(IBackupStore inner, int maxConcurrentCalls)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentCalls, 1);
        _inner = inner;
        _slots = new SemaphoreSlim(maxConcurrentCalls, maxConcurrentCalls);
    }

    public string Location => _inner.Location;

    public IBackupStore Inner => _inner;

    /// <summary>Slots free now (for tests and diagnostics).</summary>
    public int FreeSlots => _slots.CurrentCount;

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await _inner.PutAsync(name, content, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) =>
        OpenHoldingSlotAsync(ct => _inner.OpenReadAsync(name, ct), cancellationToken);

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken) =>
        OpenHoldingSlotAsync(ct => _inner.OpenReadRangeAsync(name, offset, length, ct), cancellationToken);

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await _inner.GetInfoAsync(name, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await _inner.DeleteAsync(name, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <remarks>
    /// Not throttled: a caller typically reads or deletes what it lists while listing, and a listing holding a slot
    /// would then deadlock a store with one slot.
    /// </remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) =>
        _inner.ListAsync(prefix, cancellationToken);

    /// <remarks>Not throttled, like <see cref="ListAsync"/>.</remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken) =>
        _inner.ListTemporaryAsync(prefix, cancellationToken);

    public async Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            await _inner.DeleteTemporaryAsync(name, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<Stream> OpenHoldingSlotAsync(Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return new SlotReleasingStream(await open(cancellationToken), _slots);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }
}
