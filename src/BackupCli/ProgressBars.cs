using Spectre.Console;

namespace BackupCli;

/// <summary>
/// Progress bars (Spectre.Console) while a command runs — only when stdout is a terminal and the output is not
/// <c>--json</c>; otherwise every step is a no-op, so scripts and logs get clean output.
/// </summary>
internal sealed class ProgressBars
{
    private readonly ProgressContext? _context;

    private ProgressBars(ProgressContext? context) => _context = context;

    public static async Task<T> RunAsync<T>(CliContext context, bool json, Func<ProgressBars, Task<T>> work)
    {
        if (json || !context.StdoutIsTerminal)
            return await work(new ProgressBars(null));

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Stdout) });
        var result = default(T)!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new SpinnerColumn())
            .StartAsync(async progress => result = await work(new ProgressBars(progress)));
        return result;
    }

    /// <summary>A bar for one step; <paramref name="totalBytes"/> null draws an indeterminate bar.</summary>
    public ProgressStep Start(string description, long? totalBytes)
    {
        if (_context is null)
            return new ProgressStep(null);
        var task = _context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, totalBytes ?? 1));
        task.IsIndeterminate = totalBytes is null;
        return new ProgressStep(task);
    }
}
