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
/// <item>A re-put of an existing name replaces it as a whole (readers see the old or the new object).</item>
/// <item><see cref="OpenReadAsync"/> of a missing object throws <see cref="StoreObjectNotFoundException"/>;
/// <see cref="GetInfoAsync"/> returns null; <see cref="DeleteAsync"/> of a missing object is not an error.</item>
/// <item>Transient failures of the destination surface as <see cref="StoreTransientException"/> (safe to retry),
/// everything else as <see cref="StoreException"/> or <see cref="StoreObjectNotFoundException"/>, each with a
/// <see cref="StoreException.Kind"/> that tells authentication, permission, network, a missing bucket or container
/// and a full destination apart (the storage test endpoint reports it). An exception thrown by the source stream of
/// a put is passed through unchanged: it is not the destination's failure.</item>
/// <item>Messages never contain secrets (passwords, keys, signatures, connection strings).</item>
/// <item>Names are validated: empty names and segments (a leading, trailing or doubled '/'), "." and "..",
/// backslashes and control characters are refused with <see cref="ArgumentException"/>.</item>
/// <item>A name is never both an object and the folder of other objects ("a" and "a/b"): a file system cannot
/// hold both, so a local destination refuses the second with <see cref="StoreException"/>.</item>
/// <item>Temporary objects (below) are never listed by <see cref="ListAsync"/> nor readable, and their names are
/// refused as object names; <see cref="ListTemporaryAsync"/> finds them and <see cref="DeleteTemporaryAsync"/> removes
/// them.</item>
/// </list>
/// <para><b>Temporary objects.</b> A store whose destination cannot make a put appear whole by itself writes the
/// content under a temporary name and renames it over the target at the end: the local folder, SFTP and FTP stores
/// write <c>folder/.file.tmp-&lt;12 hex digits&gt;</c> for the object <c>folder/file</c>. A put that fails or is
/// cancelled removes its own temporary object; only a process (or a connection) that dies in the middle of a put
/// leaves one behind. Such a leftover is garbage, but it takes room: it is a file on the destination's disk, so it
/// counts against a local destination's <c>maxSizeBytes</c> like any file, and the usage meter counts and reports it
/// (<c>temporaryBytes</c>). Its <see cref="StoredObjectInfo.LastModified"/> is its last write: a put still writing
/// keeps it fresh. Who removes it: the cleanup of a failed or cancelled job removes the temporaries in the job's own
/// backup folders (the job is over, so none of them is still being written), and retention removes those older than
/// the grace period (<c>Storage:TemporaryGraceHours</c>) outside the folders of jobs still running. Stores whose
/// uploads are atomic by themselves (Azure Blob: uncommitted blocks; S3/GCS: multipart uploads) have no temporary
/// objects: they list none.</para>
/// </remarks>
public interface IBackupStore
{
    /// <summary>A human-readable location for logs and the catalog, with no secrets (e.g. <c>azblob://account/container</c>, <c>file:///var/backups/site1</c>).</summary>
    string Location { get; }

    /// <summary>Stores <paramref name="content"/> (read to its end) under <paramref name="name"/>.</summary>
    Task PutAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a forward-only read stream over the whole object; the caller disposes it.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a forward-only read stream over the bytes [<paramref name="offset"/>, <paramref name="offset"/> +
    /// <paramref name="length"/>) of the object, clipped to its end: a range past the end gives an empty stream.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative offset or length.</exception>
    Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken);

    /// <summary>Size and time of one object (its metadata), or null when it does not exist.</summary>
    Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// All objects, at any depth, whose name starts with <paramref name="prefix"/> (which may end in the middle of a
    /// segment; empty lists everything), in ordinal name order.
    /// </summary>
    IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; succeeds when it is already gone.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// The temporary objects (see the remarks) whose name starts with <paramref name="prefix"/>, at any depth, in
    /// ordinal name order, with their size and last write: those of puts in progress and those left behind by puts
    /// that were interrupted. Nothing for a store without temporary objects. The prefix follows the rules of
    /// <see cref="ListAsync"/>.
    /// </summary>
    IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a temporary object found by <see cref="ListTemporaryAsync"/> (and folders it leaves empty, as
    /// <see cref="DeleteAsync"/> does); succeeds when it is already gone. A put still writing it then fails.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a temporary object's name (an object's name
    /// is refused: this never deletes an object), or the store has no temporary objects.</exception>
    Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken);
}
