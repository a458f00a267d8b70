using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>
/// The <see cref="IBackupStore"/> contract, run against every implementation by a derived class. Each test works
/// under its own name prefix, so a derived class may share one container or folder between its tests.
/// </summary>
public abstract class BackupStoreContractTests
{
    private const int MiB = 1024 * 1024;

    /// <summary>The store under test.</summary>
    protected abstract IBackupStore Store { get; }

    /// <summary>A prefix no other test uses, ending with '/'.</summary>
    protected string P { get; } = $"t{Guid.NewGuid():N}"[..13] + "/";

    // A hung server or a put that never ends fails the test instead of the whole run.
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    protected CancellationToken Ct => _timeout.Token;

    /// <summary>Whether the store writes a put under a temporary name first (local folder, SFTP, FTP).</summary>
    protected virtual bool WritesTemporaries => false;

    /// <summary>
    /// Writes a temporary object around the store, exactly as its put names it: what a put whose process died leaves
    /// behind. Only called when <see cref="WritesTemporaries"/>.
    /// </summary>
    protected virtual Task PlantTemporaryAsync(string temporaryName, byte[] content) => throw new NotSupportedException();

    [Fact]
    public async Task Round_trip_of_a_20_MiB_non_seekable_stream_is_byte_equal()
    {
        const long size = 20L * MiB + 12345;
        await using (var source = new GeneratedStream(size, seed: 7))
            await Store.PutAsync(P + "big/db.part", source, Ct);

        var info = await Store.GetInfoAsync(P + "big/db.part", Ct);
        Assert.NotNull(info);
        Assert.Equal(size, info.Size);
        Assert.Equal(GeneratedStream.Sha256Of(size, seed: 7), await ReadSha256Async(P + "big/db.part"));
    }

    [Fact]
    public async Task An_empty_object_is_stored_listed_and_read()
    {
        await Store.PutAsync(P + "empty", new MemoryStream(), Ct);

        var info = await Store.GetInfoAsync(P + "empty", Ct);
        Assert.NotNull(info);
        Assert.Equal(0, info.Size);
        Assert.Equal([(P + "empty", 0L)], await ListAsync(P));
        await using var read = await Store.OpenReadAsync(P + "empty", Ct);
        Assert.Equal(-1, read.ReadByte());
    }

    [Fact]
    public async Task A_repeated_put_with_the_same_content_is_idempotent()
    {
        for (var i = 0; i < 3; i++)
        {
            await using var source = new GeneratedStream(5 * MiB + 1, seed: 3);
            await Store.PutAsync(P + "same", source, Ct);
        }

        Assert.Equal([(P + "same", 5L * MiB + 1)], await ListAsync(P));
        Assert.Equal(GeneratedStream.Sha256Of(5 * MiB + 1, seed: 3), await ReadSha256Async(P + "same"));
    }

    [Fact]
    public async Task A_re_put_replaces_the_content()
    {
        await Store.PutAsync(P + "obj", new MemoryStream(Encoding.UTF8.GetBytes("first version, longer")), Ct);
        await Store.PutAsync(P + "obj", new MemoryStream(Encoding.UTF8.GetBytes("second")), Ct);

        Assert.Equal("second", await ReadTextAsync(P + "obj"));
        Assert.Equal(6, (await Store.GetInfoAsync(P + "obj", Ct))!.Size);
    }

    [Theory]
    [InlineData(100 * 1024)]          // fails before the first block is full
    [InlineData(9 * 1024 * 1024)]     // fails after blocks (or file data) were written
    public async Task A_put_whose_source_fails_leaves_nothing_visible(long failAfter)
    {
        var source = new GeneratedStream(20 * MiB) { FailAfter = failAfter };

        // Unchanged: a source failure is not the destination's (and must not read as a transient store failure).
        await Assert.ThrowsAsync<SourceFailedException>(() => Store.PutAsync(P + "broken", source, Ct));

        await AssertAbsentAsync(P + "broken");
        Assert.Empty(await ListAsync(P));
    }

    [Fact]
    public async Task A_failed_re_put_keeps_the_old_content()
    {
        await Store.PutAsync(P + "kept", new MemoryStream(Encoding.UTF8.GetBytes("the good old content")), Ct);
        var source = new GeneratedStream(20 * MiB) { FailAfter = 9 * MiB };

        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutAsync(P + "kept", source, Ct));

        Assert.Equal("the good old content", await ReadTextAsync(P + "kept"));
        Assert.Equal([(P + "kept", 20L)], await ListAsync(P));
    }

    [Fact]
    public async Task A_cancelled_put_leaves_nothing_visible()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var source = new GeneratedStream(20 * MiB) { FailAfter = 6 * MiB, CancelAt = cts };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(P + "cancelled", source, cts.Token));

        await AssertAbsentAsync(P + "cancelled");
        Assert.Empty(await ListAsync(P));
    }

    [Fact]
    public async Task Reading_a_missing_object_throws_not_found()
    {
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => Store.OpenReadAsync(P + "missing", Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => Store.OpenReadAsync(P + "no/such/folder/x", Ct));
        Assert.Null(await Store.GetInfoAsync(P + "missing", Ct));
    }

    [Theory]
    [InlineData(0, 10, "0123456789")]
    [InlineData(3, 4, "3456")]
    [InlineData(8, 100, "89")]
    [InlineData(10, 5, "")]
    [InlineData(50, 5, "")]
    [InlineData(4, 0, "")]
    public async Task A_range_read_gives_exactly_the_bytes_of_the_range_clipped_to_the_end(long offset, long length, string expected)
    {
        await Store.PutAsync(P + "range", new MemoryStream("0123456789"u8.ToArray()), Ct);

        await using var stream = await Store.OpenReadRangeAsync(P + "range", offset, length, Ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal(expected, await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task A_range_deep_inside_a_large_object_is_read_without_the_rest()
    {
        const long size = 12L * MiB + 7;
        await using (var source = new GeneratedStream(size, seed: 11))
            await Store.PutAsync(P + "large-range", source, Ct);

        var expected = new byte[1000];
        await using (var whole = new GeneratedStream(size, seed: 11))
        {
            whole.ReadExactly(new byte[9L * MiB + 5]);
            whole.ReadExactly(expected);
        }
        await using var stream = await Store.OpenReadRangeAsync(P + "large-range", 9L * MiB + 5, 1000, Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(expected, copy.ToArray());
    }

    [Fact]
    public async Task A_range_read_of_a_missing_object_throws_not_found()
    {
        var ex = await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => Store.OpenReadRangeAsync(P + "missing", 0, 10, Ct));
        Assert.Equal(StoreFailureKind.ObjectNotFound, ex.Kind);
        Assert.False(await Store.ExistsAsync(P + "missing", Ct));
    }

    [Fact]
    public async Task Deleting_removes_the_object_and_deleting_a_missing_one_is_fine()
    {
        await Store.PutAsync(P + "a/victim", new MemoryStream([1, 2, 3]), Ct);
        await Store.PutAsync(P + "a/survivor", new MemoryStream([4]), Ct);

        await Store.DeleteAsync(P + "a/victim", Ct);
        await Store.DeleteAsync(P + "a/victim", Ct);
        await Store.DeleteAsync(P + "never/was/here", Ct);

        await AssertAbsentAsync(P + "a/victim");
        Assert.Equal([(P + "a/survivor", 1L)], await ListAsync(P));
    }

    [Fact]
    public async Task List_returns_only_names_with_the_prefix_in_ordinal_order_with_sizes()
    {
        // '-' < '.' < '/' < '0' < 'B' < 'a' in ordinal order: a file system walk or a case-insensitive sort gets this wrong.
        string[] names = ["s/a/b", "s/ab/c", "s/B", "s/a-b", "s/a.b", "s/a0", "s/a/c/d", "sx/a", "t/a"];
        for (var i = 0; i < names.Length; i++)
            await Store.PutAsync(P + names[i], new MemoryStream(new byte[i + 1]), Ct);

        Assert.Equal(
            [(P + "s/B", 3L), (P + "s/a-b", 4L), (P + "s/a.b", 5L), (P + "s/a/b", 1L), (P + "s/a/c/d", 7L), (P + "s/a0", 6L), (P + "s/ab/c", 2L)],
            await ListAsync(P + "s/"));
        Assert.Equal(
            [(P + "s/a-b", 4L), (P + "s/a.b", 5L), (P + "s/a/b", 1L), (P + "s/a/c/d", 7L), (P + "s/a0", 6L), (P + "s/ab/c", 2L)],
            await ListAsync(P + "s/a"));
        Assert.Equal([(P + "s/a/c/d", 7L)], await ListAsync(P + "s/a/c"));
        Assert.Equal([P + "s/B", P + "s/a-b", P + "s/a.b", P + "s/a/b", P + "s/a/c/d", P + "s/a0", P + "s/ab/c", P + "sx/a"],
            (await ListAsync(P + "s")).Select(x => x.Name));
        Assert.Equal(names.Length, (await ListAsync(P)).Count);
        Assert.Empty(await ListAsync(P + "nothing/"));
    }

    [Fact]
    public async Task List_order_is_ordinal_UTF_16_also_beyond_the_basic_plane()
    {
        // A service listing in UTF-8 byte order (S3, Azure) puts U+FB01 before U+1F600; ordinal (UTF-16) order puts
        // the surrogate pair of U+1F600 first.
        await Store.PutAsync(P + "o/\uFB01", new MemoryStream([1]), Ct);
        await Store.PutAsync(P + "o/\U0001F600", new MemoryStream([2]), Ct);

        Assert.Equal([P + "o/\U0001F600", P + "o/\uFB01"], (await ListAsync(P + "o/")).Select(x => x.Name));
    }

    [Fact]
    public async Task GetInfo_tells_size_and_a_recent_modification_time()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        await Store.PutAsync(P + "sized", new GeneratedStream(1234567), Ct);

        var info = await Store.GetInfoAsync(P + "sized", Ct);

        Assert.NotNull(info);
        Assert.Equal(P + "sized", info.Name);
        Assert.Equal(1234567, info.Size);
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(2));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("./a")]
    [InlineData("a/.")]
    [InlineData("a\\b")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    [InlineData("a\u007fb")]
    public async Task Invalid_names_are_refused(string name)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.PutAsync(name, new MemoryStream([1]), Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.OpenReadAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.GetInfoAsync(name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteAsync(name, Ct));
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("a/../")]
    [InlineData("a//")]
    [InlineData("a\\b")]
    public async Task Invalid_prefixes_are_refused(string prefix)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => ListAsync(prefix));
    }

    [Fact]
    public async Task Names_with_dots_and_unusual_characters_are_fine()
    {
        string[] names = ["a/.hidden", "a/..x", "a/b c (1)+ä€.json", "a/x..y"];
        foreach (var name in names)
            await Store.PutAsync(P + name, new MemoryStream(Encoding.UTF8.GetBytes(name)), Ct);

        foreach (var name in names)
            Assert.Equal(name, await ReadTextAsync(P + name));
        Assert.Equal(names.Select(n => P + n).Order(StringComparer.Ordinal), (await ListAsync(P)).Select(x => x.Name));
    }

    [Fact]
    public async Task Temporaries_of_interrupted_puts_are_listed_apart_removed_by_name_and_never_mistaken_for_objects()
    {
        await Store.PutAsync(P + "a/obj", new MemoryStream([1, 2, 3]), Ct);
        var leftover = P + "a/.obj.tmp-0123456789ab";
        var alone = P + "b/c/.d.tmp-00000000000f";
        if (!WritesTemporaries)
        {
            Assert.Empty(await ListTemporaryAsync(P));
            await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteTemporaryAsync(leftover, Ct));
            return;
        }
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);
        await PlantTemporaryAsync(leftover, new byte[5]);
        await PlantTemporaryAsync(alone, new byte[7]);

        // Hidden from the objects, listed apart with size and last write, by prefix like objects.
        Assert.Equal([(P + "a/obj", 3L)], await ListAsync(P));
        Assert.Equal([(leftover, 5L), (alone, 7L)], await ListTemporaryAsync(P));
        await foreach (var temporary in Store.ListTemporaryAsync(P, Ct))
            Assert.InRange(temporary.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(2));
        Assert.Equal([(alone, 7L)], await ListTemporaryAsync(P + "b/"));
        Assert.Equal([(leftover, 5L)], await ListTemporaryAsync(P + "a/.o"));
        Assert.Empty(await ListTemporaryAsync(P + "x/"));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => Store.OpenReadAsync(P + "a/obj.tmp-0123456789ab", Ct));

        // Only a temporary's name is taken: an object is never deleted this way.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteTemporaryAsync(P + "a/obj", Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.DeleteTemporaryAsync(P + "a/../a/.obj.tmp-0123456789ab", Ct));
        Assert.Equal([(P + "a/obj", 3L)], await ListAsync(P));

        await Store.DeleteTemporaryAsync(leftover, Ct);
        await Store.DeleteTemporaryAsync(leftover, Ct);
        await Store.DeleteTemporaryAsync(alone, Ct);
        Assert.Empty(await ListTemporaryAsync(P));
        Assert.Equal([(P + "a/obj", 3L)], await ListAsync(P));
        // The folders the removed temporary was alone in are gone too: "b" can now be an object.
        await Store.PutAsync(P + "b", new MemoryStream([4]), Ct);
        Assert.Equal([(P + "a/obj", 3L), (P + "b", 1L)], await ListAsync(P));
    }

    [Fact]
    public async Task A_put_in_progress_is_a_fresh_temporary_until_it_completes()
    {
        var source = new HeldStream(3 * MiB);
        var before = DateTimeOffset.UtcNow.AddMinutes(-2);

        var put = Store.PutAsync(P + "g/part", source, Ct);
        try
        {
            await source.Paused.WaitAsync(Ct);
            Assert.Empty(await ListAsync(P));
            var temporaries = new List<StoredObjectInfo>();
            await foreach (var temporary in Store.ListTemporaryAsync(P, Ct))
                temporaries.Add(temporary);
            if (WritesTemporaries)
            {
                // What the retention sweep sees of a running upload: its temporary object, written just now.
                var temporary = Assert.Single(temporaries);
                Assert.Matches(@"/g/\.part\.tmp-[0-9a-f]{12}$", temporary.Name);
                Assert.StartsWith(P, temporary.Name, StringComparison.Ordinal);
                Assert.InRange(temporary.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(2));
            }
            else
            {
                Assert.Empty(temporaries);
            }
        }
        finally
        {
            source.Release.TrySetResult();
        }
        await put;

        Assert.Equal([(P + "g/part", 3L * MiB)], await ListAsync(P));
        Assert.Empty(await ListTemporaryAsync(P));
    }

    protected async Task<List<(string Name, long Size)>> ListTemporaryAsync(string prefix)
    {
        var result = new List<(string, long)>();
        await foreach (var info in Store.ListTemporaryAsync(prefix, Ct))
            result.Add((info.Name, info.Size));
        return result;
    }

    protected async Task<List<(string Name, long Size)>> ListAsync(string prefix)
    {
        var result = new List<(string, long)>();
        await foreach (var info in Store.ListAsync(prefix, Ct))
            result.Add((info.Name, info.Size));
        return result;
    }

    protected async Task AssertAbsentAsync(string name)
    {
        Assert.Null(await Store.GetInfoAsync(name, Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => Store.OpenReadAsync(name, Ct));
        Assert.DoesNotContain(await ListAsync(""), x => x.Name == name);
    }

    protected async Task<string> ReadTextAsync(string name)
    {
        await using var stream = await Store.OpenReadAsync(name, Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    private async Task<byte[]> ReadSha256Async(string name)
    {
        await using var stream = await Store.OpenReadAsync(name, Ct);
        return await SHA256.HashDataAsync(stream, Ct);
    }
}
