using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host as a separate process (the built BackupFunctions.LocalHost.dll next to the tests), for what an
/// in-process host cannot show: being killed. Settings go in as environment variables (<c>Section__Name</c>).
/// </summary>
public sealed partial class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalHostProcess(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    public int Id => _process.Id;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<LocalHostProcess> StartAsync(IReadOnlyDictionary<string, string> settings, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BackupFunctions.LocalHost.dll"));
        start.ArgumentList.Add("--url");
        start.ArgumentList.Add("http://127.0.0.1:0");
        // No local.settings.json: only the settings given here (and the test run's environment) apply.
        start.ArgumentList.Add("--settings");
        start.ArgumentList.Add(Path.Combine(workingDirectory, "no-local.settings.json"));
        foreach (var (name, value) in settings)
            start.Environment[name] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("the local host did not start");
        var host = new LocalHostProcess(process);
        process.OutputDataReceived += (_, e) => host.Received(e.Data);
        process.ErrorDataReceived += (_, e) => host.Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(host._listening.Task, exited, Task.Delay(timeout));
        if (first != host._listening.Task)
        {
            await host.DisposeAsync();
            throw new TimeoutException($"The local host did not start within {timeout}:\n{host.Output}");
        }
        host.BaseAddress = await host._listening.Task;
        return host;
    }

    private void Received(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } match)
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
    }

    /// <summary>SIGKILL: no shutdown, no flush, nothing finished that was under way.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+/)api/")]
    private static partial Regex ListeningLine();
}
