using System.Diagnostics;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests.Support;

/// <summary>backupctl as a separate process (the built backupctl.dll next to the tests), for what in-process runs cannot show: being killed.</summary>
public static class CliProcess
{
    /// <summary>
    /// Starts <c>backupctl <paramref name="args"/></c> under a shell that first sets <paramref name="umask"/> (then
    /// execs, so the process is backupctl itself and a kill reaches it). Output is redirected.
    /// </summary>
    public static Process Start(string umask, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"umask {umask} && exec \"$0\" \"$@\"");
        start.ArgumentList.Add(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "backupctl.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["BACKUPCTL_PG_BIN"] = TestEnvironment.PostgresBinDirectory;
        return Process.Start(start) ?? throw new InvalidOperationException("backupctl did not start");
    }
}
