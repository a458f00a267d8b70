using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using BackupFunctions.Core.Format;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Finds, ahead of an extraction and on several threads, the live files that already hold the bytes of the backup's
/// files, so that <see cref="SiteExtraction"/> can hard-link them into staging instead of writing a copy (as rsync's
/// --link-dest does). Pass the index through <see cref="Watch"/> on its way to the extraction and give this object to
/// <see cref="SiteExtraction.Reuse"/>. Unix only.
/// </summary>
/// <remarks>
/// <para>
/// A restore is often run to undo a compromise, so the content is proven, not assumed: size, mode and modification
/// time only pick the candidates whose SHA-256 is computed, and a live file is reused only when its SHA-256 equals the
/// index's. It is opened without following a link and checked through that handle: a regular file with one name
/// (no alias left outside the site), this process's user's (the owner a written file would have), no
/// setuid/setgid/sticky bit, and the kernel's name for the handle is the expected path itself (no folder above it
/// swapped for a link to elsewhere). The archive's entry is read and proven all the same.
/// </para>
/// <para>
/// Why ahead and in parallel: proving means reading every unchanged live file once. Read in step with the archive,
/// on the extraction's thread, each file's first read waits for the disk (a restore starts with a cold cache), and
/// those waits add up to more than the whole empty-folder restore. Here up to <see cref="Parallelism"/> files are
/// read and hashed at once, at most <see cref="MaxFilesAhead"/> files and <see cref="MaxBytesAhead"/> bytes ahead of
/// the extraction, so the disk sees several requests at a time and the extraction's thread only takes the answers.
/// Memory stays bounded: what waits ahead is one open file and one small record per file, never its bytes.
/// </para>
/// </remarks>
public sealed class LiveFileReuse : IAsyncDisposable
{
    /// <summary>
    /// Files read and hashed at once, each on a thread of its own (they mostly wait for the disk, so they would starve
    /// the thread pool): a disk, virtual ones above all, serves several requests at a time faster than one by one.
    /// </summary>
    public const int Parallelism = 8;

    public const int MaxFilesAhead = 256;

    public const long MaxBytesAhead = 64L * 1024 * 1024;

    private const int PermissionBits = 0x1FF;

    private readonly Func<string, string?> _livePath;
    private readonly Channel<Pending> _ahead = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _room = new(MaxFilesAhead);
    private readonly SemaphoreSlim _taken = new(0);
    private readonly BlockingCollection<Work> _work = [];
    private readonly List<Thread> _workers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly uint _user = OperatingSystem.IsWindows() ? 0 : Syscall.geteuid();
    private Task? _producer;
    private readonly List<Task> _forgotten = [];
    private Pending? _current;
    private long _bytesAhead;
    private bool _disposed;

    /// <param name="livePath">
    /// Given an entry's '/'-separated name, the live file that may hold its bytes, or null for none.
    /// </param>
    public LiveFileReuse(Func<string, string?> livePath)
    {
        ArgumentNullException.ThrowIfNull(livePath);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        _livePath = livePath;
    }

    /// <summary>
    /// <paramref name="index"/> as it is, read ahead on a task of its own to start proving the live files of the entries
    /// to come. Enumerate it once, in step with the archive (as <see cref="SiteExtraction.AddVolumeAsync(Stream, string, IAsyncEnumerable{FileIndexEntry}, Func{string, bool}?, IProgress{ArchiveProgress}?, CancellationToken)"/>
    /// does): a failure of the index reaches the enumeration at the entry where it happened.
    /// </summary>
    public async IAsyncEnumerable<FileIndexEntry> Watch(
        IAsyncEnumerable<FileIndexEntry> index, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(index);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_producer is not null)
            throw new InvalidOperationException("the index of a LiveFileReuse is watched once");
        for (var i = 0; i < Parallelism; i++)
        {
            var worker = new Thread(ProveQueued) { IsBackground = true, Name = "live file proof" };
            worker.Start();
            _workers.Add(worker);
        }
        _producer = ProduceAsync(index, _stop.Token);

        while (await _ahead.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_ahead.Reader.TryRead(out var next))
            {
                Forget(_current);
                _current = next;
                Interlocked.Add(ref _bytesAhead, -next.Bytes);
                _room.Release();
                _taken.Release();
                yield return next.Entry;
            }
        }

        // The producer's failure (a damaged index) ends the enumeration where it happened.
        await _producer;
    }

    /// <summary>
    /// For the entry the index enumeration is at (named <paramref name="name"/>): its live file, open and proven to hold
    /// the entry's bytes, or null (no candidate, a different file, or the enumeration is elsewhere). The caller owns it.
    /// </summary>
    internal async ValueTask<LiveFileProof?> TakeAsync(string name)
    {
        if (_current is not { } current || current.Entry.Path != name || current.Proof is null)
            return null;
        _current = null;
        try
        {
            return await current.Proof;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await _stop.CancelAsync();
        if (_producer is not null)
        {
            try
            {
                await _producer;
            }
            catch (Exception)
            {
                // Its failure has reached the enumeration already, or nobody is listening any more.
            }
        }

        // Every proof not taken is awaited and closed: nothing of this object runs or holds a file once it is disposed.
        _ahead.Writer.TryComplete();
        _work.CompleteAdding();
        var left = new List<Task<LiveFileProof?>>();
        if (_current?.Proof is { } current)
            left.Add(current);
        _current = null;
        while (_ahead.Reader.TryRead(out var pending))
        {
            if (pending.Proof is { } proof)
                left.Add(proof);
        }
        foreach (var proof in left)
        {
            try
            {
                (await proof)?.Dispose();
            }
            catch (OperationCanceledException)
            {
                // Stopped before it had a file open.
            }
        }

        await Task.WhenAll(_forgotten);
        foreach (var worker in _workers)
            worker.Join();

        _stop.Dispose();
        _room.Dispose();
        _taken.Dispose();
        _work.Dispose();
    }

    private async Task ProduceAsync(IAsyncEnumerable<FileIndexEntry> index, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var entry in index.WithCancellation(cancellationToken))
            {
                await _room.WaitAsync(cancellationToken);
                // Bytes ahead are bounded too (by the page cache they fill, not by memory): wait for the extraction to
                // take entries, unless nothing is ahead at all (one big file must still go).
                while (Interlocked.Read(ref _bytesAhead) > MaxBytesAhead)
                    await _taken.WaitAsync(cancellationToken);

                Pending pending;
                if (Candidate(entry) is { } live)
                {
                    var work = new Work(live, entry);
                    _work.Add(work, cancellationToken);
                    pending = new Pending(entry, work.Proof.Task, entry.Size);
                }
                else
                {
                    pending = new Pending(entry, null, 0);
                }
                Interlocked.Add(ref _bytesAhead, pending.Bytes);
                _ahead.Writer.TryWrite(pending);
            }
            _ahead.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _ahead.Writer.TryComplete(e);
            throw;
        }
    }

    private string? Candidate(FileIndexEntry entry)
    {
        if (entry.Type != FileIndexEntry.FileType || entry.Sha256 is not { Length: SHA256.HashSizeInBytes * 2 })
            return null;
        return _livePath(entry.Path);
    }

    /// <summary>A worker thread: proves queued files until the queue is completed; after a stop, cancels what is left.</summary>
    private void ProveQueued()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            try
            {
                work.Proof.TrySetResult(Prove(work.Live, work.Entry, _stop.Token));
            }
            catch (OperationCanceledException)
            {
                work.Proof.TrySetCanceled();
            }
        }
    }

    /// <summary>The live file open and proven to hold <paramref name="entry"/>'s bytes, or null; any error is a null.</summary>
    private LiveFileProof? Prove(string live, FileIndexEntry entry, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] expected;
        try
        {
            expected = Convert.FromHexString(entry.Sha256!);
        }
        catch (FormatException)
        {
            return null;
        }

        var descriptor = Syscall.open(live, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
        if (descriptor < 0)
            return null;
        var file = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            if (Syscall.fstat(descriptor, out var stat) < 0
                || (stat.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG
                || stat.st_nlink != 1
                || stat.st_uid != _user
                || stat.st_size != entry.Size
                || ((int)stat.st_mode & 0xFFF) != entry.Mode
                || (entry.Mode & ~PermissionBits) != 0
                || DateTimeOffset.FromUnixTimeSeconds(stat.st_mtime).AddTicks(stat.st_mtime_nsec / 100) != entry.ModifiedAt
                || !IsOpenAt(descriptor, live))
            {
                file.Dispose();
                return null;
            }

            var (hash, size) = OpenFileHash.Compute(file, cancellationToken);
            if (size != entry.Size || !CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                file.Dispose();
                return null;
            }

            return new LiveFileProof(live, file, descriptor, stat);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // EIO, a file truncated while read, ...: not reused, the extraction writes it from the archive.
            file.Dispose();
            return null;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Whether the kernel names the open file <paramref name="path"/> (Linux's /proc; elsewhere: no).</summary>
    private static bool IsOpenAt(int descriptor, string path)
    {
        var expected = Encoding.UTF8.GetBytes(path);
        var name = new byte[expected.Length + 1]; // one more: a longer name does not fit and differs
        var length = Syscall.readlink($"/proc/self/fd/{descriptor}", name);
        return length == expected.Length && name.AsSpan(0, (int)length).SequenceEqual(expected);
    }

    /// <summary>
    /// Closes the proven file of an entry the extraction did not take (skipped by its filter) once its proof ends; kept
    /// until then so that <see cref="DisposeAsync"/> can wait for it.
    /// </summary>
    private void Forget(Pending? pending)
    {
        if (pending?.Proof is not { } proof)
            return;
        if (_forgotten.Count >= MaxFilesAhead)
            _forgotten.RemoveAll(static task => task.IsCompleted);
        _forgotten.Add(proof.ContinueWith(
            static task =>
            {
                if (task.IsCompletedSuccessfully)
                    task.Result?.Dispose();
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
    }

    private sealed record Pending(FileIndexEntry Entry, Task<LiveFileProof?>? Proof, long Bytes);

    private sealed record Work(string Live, FileIndexEntry Entry)
    {
        public TaskCompletionSource<LiveFileProof?> Proof { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
