namespace BackupFunctions.Core.Storage;

/// <summary>
/// A backup destination: a flat namespace of immutable objects addressed by '/'-separated names
/// (for example <c>site1/backups/0123-abc/manifest.json</c>).
/// </summary>
/// <remarks>
/// The contract every implementation keeps (and the shared contract tests check):
/// <list type="bullet">
/// <item><see cref="PutAsync"/> streams the content; it never buffers a whole object in memory or on local disk.</item>
/// <item>No partial object is ever visible under its final name: a failed or cancelled put leaves either nothing
/// or the previous complete object.</item>
/// <item>A repeated put of the same name with the same content is idempotent (activities are retried).</item>
/// <item>Reading or deleting a missing object throws <see cref="StoreObjectNotFoundException"/> from
/// <see cref="OpenReadAsync"/>; <see cref="DeleteAsync"/> of a missing object is not an error.</item>
/// <item>Transient failures surface as <see cref="StoreTransientException"/> (safe to retry), everything else
/// as <see cref="StoreException"/> or <see cref="StoreObjectNotFoundException"/>.</item>
/// <item>Names are validated: empty segments, "." and "..", backslashes and control characters are refused
/// with <see cref="ArgumentException"/>.</item>
/// </list>
/// </remarks>
public interface IBackupStore
{
    /// <summary>A human-readable location for logs and the catalog, with no secrets (e.g. <c>azblob://account/container/prefix</c>).</summary>
    string Location { get; }

    /// <summary>Stores <paramref name="content"/> (read to its end) under <paramref name="name"/>.</summary>
    Task PutAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a forward-only read stream over the whole object.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Size and time of one object, or null when it does not exist.</summary>
    Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken);

    /// <summary>All objects whose name starts with <paramref name="prefix"/>, in ordinal name order.</summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; succeeds when it is already gone.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);
}
