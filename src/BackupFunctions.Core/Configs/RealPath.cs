using System.Runtime.InteropServices;
using System.Text;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// realpath(3): the absolute path of an existing file or folder with every symbolic link along it resolved and every
/// <c>.</c> and <c>..</c> removed. The one resolution the kernel itself would follow, so no hand-written walk can
/// disagree with it (a <c>..</c> after a link, a link to a link, a relative link target).
/// </summary>
internal static class RealPath
{
    /// <summary>The resolved path, or null when it cannot be resolved (with the reason in <paramref name="error"/>).</summary>
    public static string? TryResolve(string path, out string error)
    {
        ArgumentNullException.ThrowIfNull(path);
        error = "";
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            error = "not a path";
            return null;
        }
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Site roots are resolved with realpath(3); run the app on Linux.");

        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        // With a null buffer, realpath allocates the result (PATH_MAX-free), which free() releases.
        var resolved = NativeRealPath(bytes, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath(byte[] path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);
}
