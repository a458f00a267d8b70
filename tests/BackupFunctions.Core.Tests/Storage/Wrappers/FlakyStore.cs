using System.Runtime.CompilerServices;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Storage.Wrappers;

/// <summary>A store that fails the next N calls of each operation with a chosen exception, then passes them on.</summary>
internal sealed class FlakyStore(IBackupStore inner) : IBackupStore
{
    private readonly Dictionary<string, int> _calls = [];

    /// <summary>How many calls of an operation fail before one goes through.</summary>
    public int FailuresPerOperation { get; set; }

    public Func<StoreException> Failure { get; set; } = () => new StoreTransientException("simulated connection reset");

    /// <summary>For listings: fail once after yielding this many items (then list normally).</summary>
    public int? BreakListAfter { get; set; }

    public int Calls(string operation) => _calls.GetValueOrDefault(operation);

    public string Location => inner.Location;

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        if (Fail("put"))
        {
            // Like a connection dropped mid-upload: part of the source is consumed.
            _ = await content.ReadAtLeastAsync(new byte[3], 1, throwOnEndOfStream: false, cancellationToken);
            throw Failure();
        }
        await inner.PutAsync(name, content, cancellationToken);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) =>
        Fail("read") ? throw Failure() : inner.OpenReadAsync(name, cancellationToken);

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken) =>
        Fail("read") ? throw Failure() : inner.OpenReadRangeAsync(name, offset, length, cancellationToken);

    public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) =>
        Fail("info") ? throw Failure() : inner.GetInfoAsync(name, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        Fail("delete") ? throw Failure() : inner.DeleteAsync(name, cancellationToken);

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var count = 0;
        var breakAfter = BreakListAfter;
        BreakListAfter = null;
        await foreach (var info in inner.ListAsync(prefix, cancellationToken))
        {
            if (count++ == breakAfter)
                throw Failure();
            yield return info;
        }
    }

    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken) =>
        Fail("list temporary") ? throw Failure() : inner.ListTemporaryAsync(prefix, cancellationToken);

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) =>
        Fail("delete temporary") ? throw Failure() : inner.DeleteTemporaryAsync(name, cancellationToken);

    private bool Fail(string operation)
    {
        var n = _calls[operation] = _calls.GetValueOrDefault(operation) + 1;
        return n <= FailuresPerOperation;
    }
}
