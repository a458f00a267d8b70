using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// An in-memory <see cref="IBackupStore"/> for unit tests of code above the store. Keeps the contract that matters to
/// callers: an object becomes visible only once its content stream has been read to the end without error; names
/// are validated; missing objects throw <see cref="StoreObjectNotFoundException"/>. (Holding objects in memory is
/// fine for a test double; real stores stream.)
/// </summary>
public sealed class MemoryBackupStore(TimeProvider? timeProvider = null) : IBackupStore
{
    private readonly ConcurrentDictionary<string, (byte[] Content, DateTimeOffset LastModified)> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private long _bytesReceived;

    public string Location => "memory://test";

    /// <summary>Bytes read from content streams so far, over all puts (also while a put is still running).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>When set, a put fails with <see cref="StoreTransientException"/> after reading this many bytes.</summary>
    public long? FailPutAfterBytes { get; set; }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(content);
        using var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copy.Write(buffer, 0, read);
            Interlocked.Add(ref _bytesReceived, read);
            if (copy.Length > FailPutAfterBytes)
                throw new StoreTransientException($"Simulated failure while storing {name}.");
        }
        _objects[name] = (copy.ToArray(), _time.GetUtcNow());
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        return _objects.TryGetValue(name, out var o)
            ? Task.FromResult<Stream>(new MemoryStream(o.Content, writable: false))
            : throw new StoreObjectNotFoundException($"{name} does not exist in {Location}.");
    }

    public Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!_objects.TryGetValue(name, out var o))
            throw new StoreObjectNotFoundException($"{name} does not exist in {Location}.");
        var start = (int)Math.Min(offset, o.Content.Length);
        var count = (int)Math.Min(length, o.Content.Length - start);
        return Task.FromResult<Stream>(new MemoryStream(o.Content, start, count, writable: false));
    }

    public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        return Task.FromResult(_objects.TryGetValue(name, out var o)
            ? new StoredObjectInfo(name, o.Content.Length, o.LastModified)
            : null);
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(
        string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (name, o) in _objects.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObjectInfo(name, o.Content.Length, o.LastModified);
        }
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        _objects.TryRemove(name, out _);
        return Task.CompletedTask;
    }

    /// <summary>None: a put here is atomic by itself (an object appears when its stream has been read to the end).</summary>
    public async IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        yield break;
    }

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        throw new ArgumentException($"{Location} has no temporary objects ('{name}').", nameof(name));
    }

    /// <summary>The stored bytes (a copy), for tests that inspect or tamper with them.</summary>
    public byte[] GetBytes(string name) => (byte[])_objects[name].Content.Clone();

    /// <summary>Replaces an object's bytes behind the caller's back (tampering, swapping).</summary>
    public void SetBytes(string name, byte[] content)
    {
        ValidateName(name);
        _objects[name] = ((byte[])content.Clone(), _time.GetUtcNow());
    }

    public IReadOnlyCollection<string> Names => [.. _objects.Keys.Order(StringComparer.Ordinal)];

    private static void ValidateName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or "." or "..")
                throw new ArgumentException($"Object name '{name}' has an empty, '.' or '..' segment.", nameof(name));
        }
        if (name.Any(c => c == '\\' || char.IsControl(c)))
            throw new ArgumentException($"Object name '{name}' has a backslash or a control character.", nameof(name));
    }
}
