using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// The live files an in-place restore may hard-link instead of writing, proven ahead of the extraction on worker
/// threads: only a file whose SHA-256 equals the index's, unchanged between its proof and its link; the index passes
/// through unchanged (failures included); the look-ahead stays bounded; and nothing stays open once it is disposed.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LiveFileReuseTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _temp = new();

    public LiveFileReuseTests()
    {
        Directory.CreateDirectory(Live);
        Directory.CreateDirectory(Staging);
    }

    public void Dispose() => _temp.Dispose();

    private string Live => _temp.Combine("live");

    private string Staging => _temp.Combine("staging");

    [Fact]
    public async Task A_file_whose_bytes_equal_the_index_is_linked_and_one_with_other_bytes_of_the_same_size_and_time_is_not()
    {
        var same = Entry("same.txt", "the backed-up bytes");
        var forged = Entry("forged.txt", "the backed-up bytes");
        File.WriteAllText(Path.Join(Live, "forged.txt"), "THE BACKED-UP BYTES"); // same size, time and mode, other bytes
        SetMetadata("forged.txt");

        await using var reuse = new LiveFileReuse(name => Path.Join(Live, name));
        var taken = new Dictionary<string, bool>();
        await foreach (var entry in reuse.Watch(Index(same, forged)))
        {
            using var proof = await reuse.TakeAsync(entry.Path);
            taken[entry.Path] = proof?.TryLinkTo(Path.Join(Staging, entry.Path)) == true;
        }

        Assert.True(taken["same.txt"]);
        Assert.False(taken["forged.txt"]);
        Assert.Equal(Inode(Path.Join(Live, "same.txt")), Inode(Path.Join(Staging, "same.txt")));
        Assert.False(File.Exists(Path.Join(Staging, "forged.txt")));
    }

    [Fact]
    public async Task A_file_changed_after_its_proof_is_not_linked()
    {
        var entry = Entry("changing.txt", "proven, then changed");

        await using var reuse = new LiveFileReuse(name => Path.Join(Live, name));
        await foreach (var next in reuse.Watch(Index(entry)))
        {
            using var proof = await reuse.TakeAsync(next.Path);
            Assert.NotNull(proof);
            // Same bytes, size and time afterwards, as a careful attacker would leave them: the change time still moves.
            await Task.Delay(20);
            File.SetUnixFileMode(Path.Join(Live, "changing.txt"), (UnixFileMode)0b110_000_000);
            File.SetUnixFileMode(Path.Join(Live, "changing.txt"), (UnixFileMode)next.Mode);
            Assert.False(proof.TryLinkTo(Path.Join(Staging, next.Path)));
        }

        Assert.False(File.Exists(Path.Join(Staging, "changing.txt")));
    }

    [Fact]
    public async Task Files_with_a_second_name_links_or_other_modes_are_not_candidates()
    {
        var aliased = Entry("aliased.txt", "two names");
        File.CreateSymbolicLink(Path.Join(Live, "link.txt"), "aliased.txt");
        var link = aliased with { Path = "link.txt" };
        Assert.Equal(0, Mono.Unix.Native.Syscall.link(Path.Join(Live, "aliased.txt"), _temp.Combine("alias-outside.txt")));
        var setuid = Entry("setuid.txt", "setuid bit");
        File.SetUnixFileMode(Path.Join(Live, "setuid.txt"), (UnixFileMode)0b100_110_100_100);
        setuid = setuid with { Mode = 0b100_110_100_100 };

        await using var reuse = new LiveFileReuse(name => Path.Join(Live, name));
        await foreach (var entry in reuse.Watch(Index(aliased, link, setuid)))
            Assert.Null(await reuse.TakeAsync(entry.Path));
    }

    [Fact]
    public async Task The_index_passes_through_unchanged_and_its_failure_reaches_the_enumeration()
    {
        var entries = Enumerable.Range(0, 50).Select(i => Entry($"f{i:D3}.txt", $"file {i}")).ToList();

        await using (var reuse = new LiveFileReuse(name => Path.Join(Live, name)))
        {
            var seen = new List<FileIndexEntry>();
            await foreach (var entry in reuse.Watch(Index([.. entries])))
                seen.Add(entry);
            Assert.Equal(entries, seen);
        }

        await using (var reuse = new LiveFileReuse(name => Path.Join(Live, name)))
        {
            var seen = 0;
            var failure = await Assert.ThrowsAsync<IntegrityException>(async () =>
            {
                await foreach (var _ in reuse.Watch(Failing(entries.Take(10), new IntegrityException("index.bin", "damaged"))))
                    seen++;
            });
            Assert.Equal(10, seen);
            Assert.Contains("damaged", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_look_ahead_is_bounded_and_nothing_stays_open_after_dispose()
    {
        var entries = Enumerable.Range(0, LiveFileReuse.MaxFilesAhead * 3).Select(i => Entry($"f{i:D4}.txt", $"file {i}")).ToList();
        var before = OpenLiveFiles();

        var reuse = new LiveFileReuse(name => Path.Join(Live, name));
        await using (var enumerator = reuse.Watch(Index([.. entries])).GetAsyncEnumerator())
        {
            Assert.True(await enumerator.MoveNextAsync()); // the extraction at the first entry, taking nothing
            await Task.Delay(500);
            var open = OpenLiveFiles() - before;
            Assert.InRange(open, 1, LiveFileReuse.MaxFilesAhead + 1);
        }
        await reuse.DisposeAsync();

        Assert.Equal(before, OpenLiveFiles());
    }

    /// <summary>Writes a live file, sets its time and mode and returns its index entry.</summary>
    private FileIndexEntry Entry(string name, string content)
    {
        var path = Path.Join(Live, name);
        File.WriteAllText(path, content);
        SetMetadata(name);
        var bytes = File.ReadAllBytes(path);
        return new FileIndexEntry(name, FileIndexEntry.FileType, bytes.Length, Time, 0b110_100_100, Convert.ToHexStringLower(SHA256.HashData(bytes)), "files-00001.part");
    }

    private void SetMetadata(string name)
    {
        var path = Path.Join(Live, name);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        File.SetLastWriteTimeUtc(path, Time.UtcDateTime);
    }

    private int OpenLiveFiles() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count(fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget?.StartsWith(Live + "/", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // closed meanwhile
        }
    });

    private static ulong Inode(string path) => Mono.Unix.Native.Syscall.lstat(path, out var stat) == 0 ? stat.st_ino : throw new IOException(path);

#pragma warning disable CS1998 // an async iterator that never awaits: the index as FileIndex.ReadEntriesAsync gives it
    private static async IAsyncEnumerable<FileIndexEntry> Index(params FileIndexEntry[] entries)
    {
        foreach (var entry in entries)
            yield return entry;
    }

    private static async IAsyncEnumerable<FileIndexEntry> Failing(IEnumerable<FileIndexEntry> entries, Exception failure, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var entry in entries)
            yield return entry;
        throw failure;
    }
#pragma warning restore CS1998
}
