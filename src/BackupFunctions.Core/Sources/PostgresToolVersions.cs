using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Finds a PostgreSQL client tool as <see cref="PostgresProcess"/> would run it and asks it for its version
/// (<c>pg_dump --version</c> prints <c>pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+1)</c>). pg_dump can dump a
/// server of its own major or older only, so this is what a backup compares with the server before it starts.
/// </summary>
public static partial class PostgresToolVersions
{
    /// <summary>The settings key that points to the tools, as an app setting (what an operator sets).</summary>
    public const string BinDirectorySetting = "Postgres__BinDirectory";

    public static async Task<PostgresToolVersion> ProbeAsync(PostgresToolsOptions options, string tool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = Locate(options, tool);
        if (path is null)
        {
            var where = string.IsNullOrWhiteSpace(options.BinDirectory) ? "on PATH" : $"in '{options.BinDirectory}'";
            return new PostgresToolVersion(tool, PostgresProcess.ToolPath(options, tool), null, null,
                $"{tool} was not found {where}: install the PostgreSQL client tools or set {BinDirectorySetting} to their folder.");
        }

        var output = "";
        PostgresProcess.Outcome outcome;
        try
        {
            outcome = await PostgresProcess.RunAsync(path, ["--version"], null, redirectStdin: false, redirectStdout: true,
                async (process, ct) => output = await process.StandardOutput.ReadToEndAsync(ct), cancellationToken);
        }
        catch (PostgresToolException e)
        {
            return new PostgresToolVersion(tool, path, null, null, $"{e.Message}. Check {BinDirectorySetting}.");
        }
        if (outcome.ExitCode != 0 || Parse(output) is not var (version, major))
        {
            return new PostgresToolVersion(tool, path, null, null,
                $"{tool} at {path} did not tell its version (exit {outcome.ExitCode}): install the PostgreSQL client tools or set {BinDirectorySetting} to their folder.");
        }
        return new PostgresToolVersion(tool, path, version, major, null);
    }

    /// <summary>The version and major in a tool's <c>--version</c> output, or null.</summary>
    public static (string Version, int Major)? Parse(string output)
    {
        var match = VersionLine().Match(output ?? "");
        if (!match.Success || !int.TryParse(match.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
            return null;
        return (match.Groups[1].Value, major);
    }

    /// <summary>
    /// The full path of the file the tool runs as: in Postgres:BinDirectory when it is set, else the first match on
    /// PATH (as the process start would search); null when there is none.
    /// </summary>
    internal static string? Locate(PostgresToolsOptions options, string tool)
    {
        var name = Path.GetFileName(PostgresProcess.ToolPath(new PostgresToolsOptions(), tool));
        if (!string.IsNullOrWhiteSpace(options.BinDirectory))
        {
            var inFolder = Path.GetFullPath(PostgresProcess.ToolPath(options, tool));
            return File.Exists(inFolder) ? inFolder : null;
        }
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (Path.IsPathFullyQualified(candidate) && File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+((\d+)[0-9A-Za-z.]*)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLine();
}
