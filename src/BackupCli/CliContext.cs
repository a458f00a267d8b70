using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    /// <summary>Set once the command line is parsed: <c>--verbose</c> or <c>BACKUPCTL_DEBUG=1</c>.</summary>
    public bool Verbose { get; set; }

    /// <summary>The engine's log lines: warnings on stderr with <see cref="Verbose"/>, else none.</summary>
    public ILoggerFactory Loggers => _loggers ??= Verbose ? LoggerFactory.Create(b => b.AddProvider(new StderrLoggerProvider(Stderr))) : NullLoggerFactory.Instance;

    private ILoggerFactory? _loggers;

    /// <summary>The variable that narrows which private addresses destinations may use (see <see cref="Network"/>).</summary>
    public const string AllowedRangesVariable = "BACKUPCTL_ALLOWED_RANGES";

    /// <summary>
    /// Where backupctl's stores may connect. An operator's tool on their own machine: loopback and private addresses
    /// are allowed (a NAS, a MinIO on the LAN), link-local and cloud metadata addresses never. With
    /// <see cref="AllowedRangesVariable"/> set (CIDRs, as <c>Network__AllowedRanges</c>), only public addresses and
    /// those ranges, as in the service.
    /// </summary>
    /// <exception cref="UsageException">The variable is not a list of CIDR ranges.</exception>
    public NetworkPolicy Network
    {
        get
        {
            if (GetEnvironmentVariable(AllowedRangesVariable) is not { } ranges)
                return NetworkPolicy.InternalAllowed;
            try
            {
                return new NetworkPolicy(NetworkPolicy.ParseRanges(ranges));
            }
            catch (FormatException ex)
            {
                throw new UsageException($"{AllowedRangesVariable}: {ex.Message}", ex);
            }
        }
    }

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
