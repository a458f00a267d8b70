using System.Security.Cryptography;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The private folder a restore writes into, beside its target so that the final rename stays on one file system:
/// <c>&lt;target&gt;.restoring-&lt;12 hex digits&gt;/</c>, holding
/// <list type="bullet">
/// <item><c>lock</c>: locked (exclusive, non-blocking: .NET's <see cref="FileShare.None"/>, which is
/// <c>flock(LOCK_EX | LOCK_NB)</c> on Unix) for as long as the restore runs, so that no other restore takes the folder
/// for a stale one — the kernel drops the lock when the process dies, however it dies;</item>
/// <item><c>tree/</c>: the restored files, renamed to the target at the very end;</item>
/// <item>scratch files of the restore (e.g. the modes to apply at the end).</item>
/// </list>
/// Every folder is created 0700 and every file 0600 (the umask can only take bits away, and a umask that takes away
/// the owner's own bits is undone by a chmod to 0700), so nothing in it is readable by another user.
/// </summary>
/// <remarks>
/// <para>
/// The folder is made under a birth name (<c>….restoring-&lt;hex&gt;.new</c>), its lock file is created and locked,
/// and only then is it renamed to its final name: a folder under a final name without a lock file can therefore only
/// have been left by a version before locks (or be half deleted), and is stale.
/// </para>
/// <para>
/// <see cref="RemoveStale"/> runs when a restore starts and removes the staging folders of restores that died in
/// their parent folder (killed, power lost), unless their lock is held. It does nothing in a parent folder that group
/// or others may write to (such as /tmp): anyone could plant a folder with a staging name there, and a recursive
/// delete of a tree someone else controls (possibly as root) is not something a restore should do. It also does
/// nothing when .NET's file locking is switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING), since a held lock could
/// then not be seen.
/// </para>
/// </remarks>
internal sealed class RestoreStaging : IDisposable
{
    public const string NameInfix = ".restoring-";

    public const UnixFileMode PrivateFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const string LockName = "lock";
    private const string TreeName = "tree";
    private const string BirthSuffix = ".new";
    private const int RandomDigits = 12;
    private const int CreateAttempts = 3;

    private readonly FileStream _lock;
    private bool _disposed;

    private RestoreStaging(string folder, FileStream held)
    {
        Folder = folder;
        Tree = Path.Join(folder, TreeName);
        _lock = held;
    }

    /// <summary>The staging folder itself (<c>&lt;target&gt;.restoring-&lt;hex&gt;</c>).</summary>
    public string Folder { get; }

    /// <summary>Where the restored files go; renamed to the target at the end.</summary>
    public string Tree { get; }

    /// <summary>A scratch file of the restore, inside the staging folder (never in the tree).</summary>
    public string Scratch(string name) => Path.Join(Folder, name);

    /// <summary>Creates (and locks) a new staging folder for <paramref name="targetName"/> in <paramref name="parent"/>.</summary>
    public static RestoreStaging Create(string parent, string targetName)
    {
        for (var attempt = 1; ; attempt++)
        {
            var folder = Path.Join(parent, targetName + NameInfix + RandomNumberGenerator.GetHexString(RandomDigits, lowercase: true));
            var birth = folder + BirthSuffix;
            FileStream? held = null;
            try
            {
                CreatePrivateFolder(birth);
                held = OpenPrivateFile(Path.Join(birth, LockName), FileMode.CreateNew, FileAccess.ReadWrite);
                CreatePrivateFolder(Path.Join(birth, TreeName));
                Directory.Move(birth, folder);
                return new RestoreStaging(folder, held);
            }
            catch (IOException) when (attempt < CreateAttempts)
            {
                // A restore starting beside this one swept the birth folder before its lock was taken (or, one in
                // 2^48, the name was taken): start again under a new name.
                held?.Dispose();
            }
            catch
            {
                held?.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Creates a folder 0700 (its parent must exist). An existing folder is made 0700 again.
    /// </summary>
    public static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, PrivateFolderMode);
        // mkdir applies the umask: one that takes away the owner's own bits would leave a folder nothing can be
        // written into. chmod does not apply it.
        File.SetUnixFileMode(path, PrivateFolderMode);
    }

    /// <summary>Opens a file created 0600 (never wider, whatever the umask), exclusively locked, unbuffered.</summary>
    public static FileStream OpenPrivateFile(string path, FileMode mode, FileAccess access, int bufferSize = 0)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
            options.UnixCreateMode = PrivateFileMode;
        return new FileStream(path, options);
    }

    /// <summary>
    /// Removes the staging folders in <paramref name="parent"/> whose restore is no longer running (see remarks).
    /// Best effort: what cannot be removed is left for the next time.
    /// </summary>
    public static void RemoveStale(string parent)
    {
        if (OperatingSystem.IsWindows() || FileLockingDisabled() || !Directory.Exists(parent))
            return;
        if ((File.GetUnixFileMode(parent) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            return;

        foreach (var folder in Directory.EnumerateDirectories(parent, "*" + NameInfix + "*"))
        {
            if (!IsStagingName(Path.GetFileName(folder), out var birth))
                continue;
            try
            {
                if (new DirectoryInfo(folder).LinkTarget is not null)
                    continue;
                TryRemove(folder, birth);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed meanwhile, or not ours to remove: leave it.
            }
        }
    }

    /// <summary>
    /// Removes the staging folder (the tree first, so that a sweep that finds the folder without its lock meanwhile
    /// has nothing readable left to find), then releases the lock.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            if (Directory.Exists(Tree))
                DeleteTree(Tree);
            DeleteTree(Folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the folder is private (0700) and the next restore in this parent folder removes it.
        }
        finally
        {
            _lock.Dispose();
        }
    }

    /// <summary>'&lt;name&gt;.restoring-&lt;12 lowercase hex&gt;', or the same with '.new' (birth).</summary>
    internal static bool IsStagingName(string name, out bool birth)
    {
        birth = name.EndsWith(BirthSuffix, StringComparison.Ordinal);
        var core = birth ? name[..^BirthSuffix.Length] : name;
        var at = core.LastIndexOf(NameInfix, StringComparison.Ordinal);
        if (at <= 0 || core.Length - at - NameInfix.Length != RandomDigits)
            return false;
        foreach (var c in core.AsSpan(at + NameInfix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }

    private static void TryRemove(string folder, bool birth)
    {
        FileStream? held = null;
        try
        {
            held = new FileStream(Path.Join(folder, LockName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (FileNotFoundException)
        {
            if (birth)
            {
                // Being born right now, or died before its lock file existed: either way empty. A non-recursive
                // delete cannot take anything from a restore; one being born starts again under a new name.
                Directory.Delete(folder, recursive: false);
                return;
            }
            // A final name without a lock file: left by a version before locks. Stale.
        }
        catch (IOException)
        {
            // Locked: a restore is running in it.
            return;
        }

        try
        {
            DeleteTree(folder);
        }
        finally
        {
            held?.Dispose();
        }
    }

    private static bool FileLockingDisabled()
    {
        if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled))
            return disabled;
        var variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        return variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    internal static void DeleteTree(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Restored read-only folders (real modes are applied just before the swap) block the delete: make them
            // writable (without following links) and try again.
            MakeWritable(new DirectoryInfo(folder));
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void MakeWritable(DirectoryInfo directory)
    {
        if (OperatingSystem.IsWindows() || directory.LinkTarget is not null)
            return;
        directory.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var child in directory.EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = 0 }))
            MakeWritable(child);
    }
}
