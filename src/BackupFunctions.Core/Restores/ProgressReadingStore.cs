using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Wrappers;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// A store whose read streams report the stored bytes read through all of them together, after every
/// <c>step</c> bytes and when a stream ends: the progress of a restore, counted where the bytes come in.
/// </summary>
internal sealed class ProgressReadingStore(IBackupStore inner, IProgress<long> progress, long step) : IBackupStore, IBackupStoreWrapper
{
    private readonly Lock _gate = new();
    private long _read;
    private long _reported;

    public IBackupStore Inner => inner;

    public string Location => inner.Location;

    public Task PutAsync(string name, Stream content, CancellationToken cancellationToken) => inner.PutAsync(name, content, cancellationToken);

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
        => new CountingStream(await inner.OpenReadAsync(name, cancellationToken), this);

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
        => new CountingStream(await inner.OpenReadRangeAsync(name, offset, length, cancellationToken), this);

    public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) => inner.GetInfoAsync(name, cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => inner.ListTemporaryAsync(prefix, cancellationToken);

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) => inner.DeleteTemporaryAsync(name, cancellationToken);

    private void Add(int read)
    {
        // Several streams (the index and volumes in parallel) are read on several threads: counted and reported under
        // one lock, so that what is reported never steps back.
        lock (_gate)
        {
            _read += read;
            if ((read == 0 && _read > _reported) || _read - _reported >= step)
            {
                _reported = _read;
                progress.Report(_read);
            }
        }
    }

    private sealed class CountingStream(Stream stream, ProgressReadingStore owner) : ForwardOnlyReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            var read = stream.Read(buffer);
            owner.Add(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            owner.Add(read);
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                stream.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
