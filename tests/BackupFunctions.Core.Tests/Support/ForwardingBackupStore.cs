using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A store that hands every call to another one: a test store derives from it and overrides only the calls it
/// changes (a put that fails, waits or acts midway, a listing that lies), so each test shows just its difference.
/// </summary>
public abstract class ForwardingBackupStore(IBackupStore inner) : IBackupStore
{
    public virtual string Location => inner.Location;

    public virtual Task PutAsync(string name, Stream content, CancellationToken cancellationToken) => inner.PutAsync(name, content, cancellationToken);

    public virtual Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) => inner.OpenReadAsync(name, cancellationToken);

    public virtual Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => inner.OpenReadRangeAsync(name, offset, length, cancellationToken);

    public virtual Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) => inner.GetInfoAsync(name, cancellationToken);

    public virtual IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public virtual Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);

    public virtual IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => inner.ListTemporaryAsync(prefix, cancellationToken);

    public virtual Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) => inner.DeleteTemporaryAsync(name, cancellationToken);
}
