using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// A live file proven (by <see cref="LiveFileReuse"/>) to hold an index entry's bytes: kept open, so that the file
/// linked into staging is checked to be the very inode that was hashed. Disposing closes it.
/// </summary>
internal sealed class LiveFileProof(string path, SafeFileHandle handle, int descriptor, Stat before) : IDisposable
{
    /// <summary>The live file's path, as the prover opened it.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Hard-links the proven file to <paramref name="stagedPath"/> (new, in staging). False, with nothing created, when
    /// the file changed since it was hashed (its change time, size or modification time moved: a write or a chmod) or
    /// the name no longer leads to the hashed inode (replaced meanwhile), and on any error: the caller then writes the
    /// file from the archive.
    /// </summary>
    /// <remarks>
    /// A write landing in the same clock tick as the hash can leave the change time as it was; the restore's verification
    /// after the swap reads every file again, which is why reuse never stands alone.
    /// </remarks>
    public bool TryLinkTo(string stagedPath)
    {
        if (Syscall.fstat(descriptor, out var now) < 0
            || now.st_ctime != before.st_ctime || now.st_ctime_nsec != before.st_ctime_nsec
            || now.st_mtime != before.st_mtime || now.st_mtime_nsec != before.st_mtime_nsec
            || now.st_size != before.st_size || now.st_nlink != 1)
            return false;

        // EXDEV (a component that is a mount point), EPERM (protected_hardlinks, a file system without links), ...
        if (Syscall.link(Path, stagedPath) != 0)
            return false;
        if (Syscall.lstat(stagedPath, out var linked) == 0 && linked.st_dev == before.st_dev && linked.st_ino == before.st_ino)
            return true;
        File.Delete(stagedPath);
        return false;
    }

    public void Dispose() => handle.Dispose();
}
