using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using BackupCli.Commands;
using BackupFunctions.Core.Format;

namespace BackupCli;

/// <summary>
/// backupctl's entry point: builds the command tree, runs one command line and maps every outcome to an exit code
/// (<see cref="ExitCodes"/>). Bad input and failures print one line on stderr; stack traces only with <c>--verbose</c>
/// or <c>BACKUPCTL_DEBUG=1</c>.
/// </summary>
[SuppressMessage("Performance", "CA1515", Justification = "The in-process entry point the tests call.")]
public static class BackupCtl
{
    private const string Description = """
        backupctl: list, verify, make and restore BackupFunctions backups straight from a destination,
        with no catalog and no Functions app. A destination and the key are enough.

        Destinations: file:///absolute/path, azblob://container[/prefix] (credentials from
        AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT with DefaultAzureCredential).
        """;

    /// <summary>Runs one command line; returns its exit code.</summary>
    /// <param name="environment">Variables that take precedence over the process environment (tests).</param>
    /// <param name="stdoutIsTerminal">Whether progress bars may be drawn on <paramref name="stdout"/>.</param>
    public static async Task<int> RunAsync(
        string[] args,
        TextWriter stdout,
        TextWriter stderr,
        IReadOnlyDictionary<string, string>? environment = null,
        bool stdoutIsTerminal = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var context = new CliContext(stdout, stderr, environment, stdoutIsTerminal);
        var json = new Option<bool>("--json") { Description = "Write one JSON object (camelCase) on stdout instead of text.", Recursive = true };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the stack trace of a failure.", Recursive = true };
        var root = new RootCommand(Description + Environment.NewLine + Environment.NewLine + ExitCodes.Help)
        {
            KeyCreateCommand.Create(context, json),
            BackupCommand.Create(context, json),
            LsCommand.Create(context, json),
            VerifyCommand.Create(context, json),
            RestoreCommand.Create(context, json),
            StorageTestCommand.Create(context, json),
        };
        root.Options.Add(json);
        root.Options.Add(verbose);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"backupctl: {OneLine(parse.Errors[0].Message)} (see backupctl --help)");
            return ExitCodes.Usage;
        }

        context.Verbose = parse.GetValue(verbose) || context.GetEnvironmentVariable("BACKUPCTL_DEBUG") == "1";
        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false,
                    ProcessTerminationTimeout = RestoreCommand.TerminationTimeout(parse),
                }, cancellationToken);
        }
        catch (Exception ex)
        {
            var code = ExitCodeOf(ex);
            var message = code switch
            {
                ExitCodes.Integrity => "integrity failure: " + OneLine(ex.Message),
                _ when ex is OperationCanceledException => "cancelled",
                _ => OneLine(ex.Message),
            };
            stderr.WriteLine($"backupctl: {message}");
            if (parse.GetValue(verbose) || context.GetEnvironmentVariable("BACKUPCTL_DEBUG") == "1")
                stderr.WriteLine(ex);
            if (parse.GetValue(json) && !context.JsonWritten)
                CliOutput.WriteJson(context, new { error = message, exitCode = code });
            return code;
        }
    }

    /// <summary>2 for bad usage, 3 for integrity failures (also when wrapped), 1 for everything else.</summary>
    internal static int ExitCodeOf(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is UsageException)
                return ExitCodes.Usage;
            if (ex is IntegrityException)
                return ExitCodes.Integrity;
        }
        return ExitCodes.Failure;
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
