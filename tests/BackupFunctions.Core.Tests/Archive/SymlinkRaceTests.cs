using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;
using Xunit.Abstractions;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// A hostile site races the walker: while backups run, it keeps swapping a file and a folder for symbolic links to a
/// folder outside the site root, and back. Whatever the timing, nothing from outside the root may reach an archive.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SymlinkRaceTests(ITestOutputHelper output) : IDisposable
{
    private const int Backups = 300;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Swapping_a_file_and_a_folder_for_links_to_outside_during_300_backups_never_archives_a_byte_from_outside()
    {
        // Outside the root: a secret with a unique marker, as long as the file it stands in for (so that a read
        // through the link would pass any length check).
        var marker = "OUTSIDE-SECRET-" + Guid.NewGuid().ToString("N");
        var inside = new string('i', marker.Length);
        var outside = Directory.CreateDirectory(_temp.Combine("outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "report.txt"), marker);
        File.WriteAllText(Path.Combine(outside, "photo.txt"), marker);

        var site = _temp.Combine("site");
        for (var i = 0; i < 20; i++)
            Write(site, $"uploads/2024/a{i:D2}.txt", "some content " + i);
        Write(site, "uploads/2024/deep/report.txt", inside);         // the file that is swapped
        Write(site, "uploads/2024/gallery/photo.txt", inside);       // in the folder that is swapped
        Write(site, "uploads/2024/gallery/thumb.txt", "thumbnail");
        Write(site, "uploads/2024/zz.txt", "after the swapped ones");
        var spare = Directory.CreateDirectory(Path.Combine(site, "spare")).FullName; // not a component: the swapper's side room

        using var swapper = new Swapper(site, outside, spare);
        swapper.Start();

        var markerBytes = Encoding.UTF8.GetBytes(marker);
        var leaks = new List<string>();
        var errors = new List<string>();
        int fileSwapsSeen = 0, folderSwapsSeen = 0;
        var clock = Stopwatch.StartNew();
        for (var run = 0; run < Backups; run++)
        {
            using var tar = new MemoryStream();
            ArchiveResult? result = null;
            try
            {
                result = await SiteArchiver.WriteAsync(site, ["uploads"], TarBuilder.Volume, tar, null, CancellationToken.None);
            }
            catch (Exception e)
            {
                errors.Add($"backup {run}: {e.GetType().Name}: {e.Message}");
            }

            if (tar.ToArray().AsSpan().IndexOf(markerBytes) >= 0)
                leaks.Add($"backup {run}: the archive holds the outside secret");
            if (result is null)
                continue;
            using var index = new MemoryStream();
            await FileIndex.WriteAsync(result.Entries, index, CancellationToken.None);
            if (index.ToArray().AsSpan().IndexOf(markerBytes) >= 0)
                leaks.Add($"backup {run}: the index holds the outside secret");

            // What this backup saw of the swaps: the file as a link or missing, the folder as a link or missing.
            var paths = result.Entries.ToDictionary(e => e.Path, e => e.Type);
            if (paths.GetValueOrDefault("uploads/2024/deep/report.txt") != FileIndexEntry.FileType)
                fileSwapsSeen++;
            if (paths.GetValueOrDefault("uploads/2024/gallery") != FileIndexEntry.DirectoryType)
                folderSwapsSeen++;
        }
        clock.Stop();
        swapper.Stop();

        output.WriteLine($"{Backups} backups in {clock.Elapsed.TotalSeconds:F1} s against {swapper.Swaps} swaps; " +
                         $"saw the file swapped in {fileSwapsSeen}, the folder in {folderSwapsSeen}; {leaks.Count} leaks, {errors.Count} errors");
        Assert.Null(swapper.Error);
        Assert.True(leaks.Count == 0, string.Join("\n", leaks.Take(20)));
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20)));
        // The race really ran: the swapper kept going all along, and backups caught both entries mid-swap.
        Assert.True(swapper.Swaps >= 10 * Backups, $"only {swapper.Swaps} swaps");
        Assert.True(fileSwapsSeen >= 10 && folderSwapsSeen >= 10, $"swaps seen: file {fileSwapsSeen}, folder {folderSwapsSeen}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(45), $"took {clock.Elapsed}");
    }

    private static void Write(string root, string relative, string content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>
    /// On its own thread, as fast as it can: the file becomes a link to the outside secret and then the file again, the
    /// folder becomes a link to the outside folder and then the folder again.
    /// </summary>
    private sealed class Swapper(string site, string outside, string spare) : IDisposable
    {
        private volatile bool _stop;
        private Thread? _running;
        private long _swaps;

        public long Swaps => Interlocked.Read(ref _swaps);

        /// <summary>What stopped the swapper early (an exception on its thread would take the test host down).</summary>
        public Exception? Error { get; private set; }

        public void Start()
        {
            _running = new Thread(Run) { IsBackground = true, Name = "symlink swapper" };
            _running.Start();
        }

        public void Stop()
        {
            _stop = true;
            _running?.Join();
        }

        public void Dispose() => Stop();

        private void Run()
        {
            try
            {
                Swap();
            }
            catch (Exception e)
            {
                Error = e;
            }
        }

        private void Swap()
        {
            var file = Path.Combine(site, "uploads/2024/deep/report.txt");
            var folder = Path.Combine(site, "uploads/2024/gallery");
            var fileLink = Path.Combine(spare, "file-link");
            var folderLink = Path.Combine(spare, "folder-link");
            File.CreateSymbolicLink(fileLink, Path.Combine(outside, "report.txt"));
            File.CreateSymbolicLink(folderLink, outside);
            while (!_stop)
            {
                // Each exchange is one atomic renameat2: the walker finds the entry or the link, never nothing.
                Exchange(file, fileLink);
                Exchange(folder, folderLink);
                Interlocked.Add(ref _swaps, 2);
                Exchange(file, fileLink);
                Exchange(folder, folderLink);
                Interlocked.Add(ref _swaps, 2);
            }
        }

        private const int CurrentFolder = -100;  // AT_FDCWD
        private const uint RenameExchange = 2;   // RENAME_EXCHANGE

        /// <summary>Swaps what two names hold, whatever they are, in one step: what a hostile site can do fastest.</summary>
        private static void Exchange(string a, string b)
        {
            if (renameat2(CurrentFolder, CString(a), CurrentFolder, CString(b), RenameExchange) < 0)
                throw new IOException($"renameat2 {a} ⇄ {b}: errno {Marshal.GetLastPInvokeError()}");
        }

        private static byte[] CString(string path) => Encoding.UTF8.GetBytes(path + "\0");

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int renameat2(int oldFolder, byte[] oldPath, int newFolder, byte[] newPath, uint flags);
    }
}
