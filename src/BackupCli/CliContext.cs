using BackupFunctions.Core.Sources;

namespace BackupCli;

/// <summary>Where one run of backupctl writes, and the environment it reads (overridable so tests run in-process).</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string>? environment, bool stdoutIsTerminal)
{
    public TextWriter Stdout { get; } = stdout;

    public TextWriter Stderr { get; } = stderr;

    /// <summary>Progress bars are drawn only on a terminal, never into a pipe or a file.</summary>
    public bool StdoutIsTerminal { get; } = stdoutIsTerminal;

    public TimeProvider Time { get; } = TimeProvider.System;

    /// <summary>Set once stdout got a JSON document, so an error is not followed by a second one.</summary>
    public bool JsonWritten { get; set; }

    /// <summary>Where pg_dump and pg_restore are: <c>BACKUPCTL_PG_BIN</c>, else PATH.</summary>
    public PostgresToolsOptions PostgresTools => new() { BinDirectory = GetEnvironmentVariable("BACKUPCTL_PG_BIN") ?? "" };

    /// <summary>The variable from the overrides, else from the process environment; null when unset or empty.</summary>
    public string? GetEnvironmentVariable(string name)
    {
        var value = environment is not null && environment.TryGetValue(name, out var overridden)
            ? overridden
            : Environment.GetEnvironmentVariable(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
