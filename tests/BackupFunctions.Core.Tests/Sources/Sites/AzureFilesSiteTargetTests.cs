using Azure;
using Azure.Storage.Files.Shares;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources.Sites;

/// <summary>
/// <see cref="AzureFilesSiteTarget"/> through the real Azure SDK over HTTP against <see cref="AzureFilesStandIn"/>:
/// what an in-place restore of a site on a share writes, renames and deletes.
/// </summary>
public sealed class AzureFilesSiteTargetTests : IAsyncLifetime
{
    private const string Folder = "wwwroot/wp-content";
    private static readonly DateTimeOffset Then = new(2023, 11, 5, 8, 9, 10, TimeSpan.Zero);
    private AzureFilesStandIn _standIn = null!;

    public async Task InitializeAsync()
    {
        _standIn = await AzureFilesStandIn.StartAsync();
        Directory.CreateDirectory(_standIn.Local(Folder));
    }

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    private AzureFilesSiteTarget Target() => new(new ShareClient(_standIn.ConnectionString, _standIn.ShareName), Folder);

    private string Local(string path) => _standIn.Local(Folder + "/" + path);

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task WriteFile_FromAStreamWithoutALength_IsWrittenInRangesOfAtMost4MiB_WithItsTime()
    {
        var target = Target();
        var content = Bytes(9 * 1024 * 1024 + 5, 1);
        await target.CreateFolderAsync("uploads/2024", CancellationToken.None);

        await target.WriteFileAsync("uploads/2024/photo.jpg", new ForwardOnly(content), Then.AddTicks(77), 0b110_100_100, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(Local("uploads/2024/photo.jpg")));
        Assert.Equal(Then.AddTicks(77).UtcDateTime, File.GetLastWriteTimeUtc(Local("uploads/2024/photo.jpg")));
        Assert.Equal(4 * 1024 * 1024, _standIn.LargestRange);
    }

    [Fact]
    public async Task WriteFile_ReplacesALongerFile_AndAnEmptyFileIsWritten()
    {
        var target = Target();
        await target.CreateFolderAsync("uploads", CancellationToken.None);
        await target.WriteFileAsync("uploads/a.txt", new MemoryStream(Bytes(5000, 2)), Then, 0, CancellationToken.None);

        var shorter = Bytes(100, 3);
        await target.WriteFileAsync("uploads/a.txt", new MemoryStream(shorter), Then.AddDays(1), 0, CancellationToken.None);
        await target.WriteFileAsync("uploads/empty.txt", new MemoryStream(), Then, 0, CancellationToken.None);

        Assert.Equal(shorter, await File.ReadAllBytesAsync(Local("uploads/a.txt")));
        Assert.Equal(Then.AddDays(1).UtcDateTime, File.GetLastWriteTimeUtc(Local("uploads/a.txt")));
        Assert.Empty(await File.ReadAllBytesAsync(Local("uploads/empty.txt")));
        Assert.Equal(Then.UtcDateTime, File.GetLastWriteTimeUtc(Local("uploads/empty.txt")));
    }

    [Fact]
    public async Task StagedComponent_SwapsInWithTwoRenames_AndTheOldOneIsDeleted()
    {
        var target = Target();
        await target.CreateFolderAsync("uploads/old", CancellationToken.None);
        await target.WriteFileAsync("uploads/old/live.txt", new MemoryStream(Bytes(10, 4)), Then, 0, CancellationToken.None);
        var restored = Bytes(2000, 5);
        await target.CreateFolderAsync(".restore-1/uploads/2024", CancellationToken.None);
        await target.WriteFileAsync(".restore-1/uploads/2024/photo.jpg", new MemoryStream(restored), Then, 0, CancellationToken.None);

        Assert.True(target.CanRenameFolders);
        await Assert.ThrowsAsync<RequestFailedException>(() => target.RenameFolderAsync(".restore-1/uploads", "uploads", CancellationToken.None));
        await target.RenameFolderAsync("uploads", ".restore-1/uploads.old", CancellationToken.None);
        await target.RenameFolderAsync(".restore-1/uploads", "uploads", CancellationToken.None);
        await target.DeleteFolderAsync(".restore-1", CancellationToken.None);

        Assert.Equal(restored, await File.ReadAllBytesAsync(Local("uploads/2024/photo.jpg")));
        Assert.Equal(Then.UtcDateTime, File.GetLastWriteTimeUtc(Local("uploads/2024/photo.jpg")));
        Assert.False(Directory.Exists(Local(".restore-1")));
        Assert.False(Directory.Exists(Local("uploads/old")));
    }

    [Fact]
    public async Task List_GivesFoldersBeforeTheirContentInOrdinalOrder_AndNothingForAMissingFolder()
    {
        var target = Target();
        await target.CreateFolderAsync("themes/b", CancellationToken.None);
        await target.CreateFolderAsync("themes/A", CancellationToken.None);
        await target.WriteFileAsync("themes/b/style.css", new MemoryStream(Bytes(12, 6)), Then, 0, CancellationToken.None);
        await target.WriteFileAsync("themes/a.txt", new MemoryStream(Bytes(3, 7)), Then.AddHours(1), 0, CancellationToken.None);

        var listed = await target.ListAsync("themes", CancellationToken.None).ToListAsync();

        Assert.Equal(
            [("themes/A", FileIndexEntry.DirectoryType, 0L), ("themes/a.txt", FileIndexEntry.FileType, 3L),
             ("themes/b", FileIndexEntry.DirectoryType, 0L), ("themes/b/style.css", FileIndexEntry.FileType, 12L)],
            listed.Select(e => (e.Path, e.Type, e.Size)));
        Assert.Equal(Then.AddHours(1), listed[1].ModifiedAt);
        Assert.Empty(await target.ListAsync("nothing/here", CancellationToken.None).ToListAsync());
    }

    [Fact]
    public async Task Delete_RemovesFilesAndWholeFolders_AndWhatIsGoneIsNoError()
    {
        var target = Target();
        await target.CreateFolderAsync("uploads/a/b/c", CancellationToken.None);
        await target.WriteFileAsync("uploads/a/b/c/x.txt", new MemoryStream(Bytes(3, 8)), Then, 0, CancellationToken.None);
        await target.WriteFileAsync("uploads/a/y.txt", new MemoryStream(Bytes(3, 9)), Then, 0, CancellationToken.None);
        await target.WriteFileAsync("uploads/keep.txt", new MemoryStream(Bytes(3, 10)), Then, 0, CancellationToken.None);

        await target.DeleteFileAsync("uploads/keep.txt", CancellationToken.None);
        await target.DeleteFolderAsync("uploads/a", CancellationToken.None);
        await target.DeleteFileAsync("uploads/keep.txt", CancellationToken.None);
        await target.DeleteFileAsync("gone/folder/x.txt", CancellationToken.None);
        await target.DeleteFolderAsync("uploads/a", CancellationToken.None);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Local("uploads")));
        Assert.False(target.CanCreateLinks);
        await Assert.ThrowsAsync<NotSupportedException>(() => target.CreateLinkAsync("uploads/l", "x", CancellationToken.None));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("uploads/../../../x")]
    [InlineData("uploads\\..\\..\\x")]
    [InlineData("uploads/\u0007")]
    public async Task EveryPathIsConfinedToTheShareFolder(string hostile)
    {
        var target = Target();
        await Assert.ThrowsAsync<ArgumentException>(() => target.WriteFileAsync(hostile, new MemoryStream([1]), Then, 0, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => target.CreateFolderAsync(hostile, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => target.DeleteFileAsync(hostile, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => target.DeleteFolderAsync(hostile, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => target.RenameFolderAsync("uploads", hostile, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => target.RenameFolderAsync(hostile, "uploads", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(async () => await target.ListAsync(hostile, CancellationToken.None).ToListAsync());
        Assert.Empty(_standIn.Requests);
    }

    [Fact]
    public async Task DeleteFolder_WithANameInItsListingThatIsNotAPlainName_StopsWithoutFollowingIt()
    {
        var target = Target();
        await target.CreateFolderAsync("uploads", CancellationToken.None);
        _standIn.ForgeListing(Folder + "/uploads", "..");

        await Assert.ThrowsAsync<IOException>(() => target.DeleteFolderAsync("uploads", CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(async () => await target.ListAsync("uploads", CancellationToken.None).ToListAsync());
        Assert.True(Directory.Exists(Local("uploads")));
        Assert.True(Directory.Exists(_standIn.Local(Folder)));
    }

    /// <summary>Content as a restore reads it from a tar: no length, no seeking, short reads.</summary>
    private sealed class ForwardOnly(byte[] content) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 100_000), content.Length - _position);
            Array.Copy(content, _position, buffer, offset, n);
            _position += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
