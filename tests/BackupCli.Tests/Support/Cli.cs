using BackupCli;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests.Support;

/// <summary>Runs backupctl in-process and captures what it prints, as a script would see it.</summary>
public static class Cli
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <param name="environment">Extra variables (they win over the process environment).</param>
    public static async Task<CliResult> RunAsync(IDictionary<string, string> environment, params string[] args)
    {
        var variables = new Dictionary<string, string>(environment)
        {
            ["BACKUPCTL_PG_BIN"] = TestEnvironment.PostgresBinDirectory,
        };
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await BackupCtl.RunAsync(args, stdout, stderr, variables);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The file:// URI of a local folder.</summary>
    public static string FileUri(string folder) => new Uri(Path.GetFullPath(folder)).AbsoluteUri;
}
