using Microsoft.Extensions.Logging;

namespace BackupCli;

/// <summary>
/// Log lines of the engine (the storage wrappers' failed calls, the storage test's detail) on backupctl's stderr, for
/// <c>--verbose</c>. Hand-written because the console provider writes to the process's console, not to the
/// <see cref="CliContext"/> writer that in-process runs (the tests) capture.
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter stderr) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(stderr, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter stderr, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            lock (stderr)
            {
                stderr.WriteLine($"backupctl: [{logLevel.ToString().ToLowerInvariant()}] {category}: {formatter(state, exception)}");
                if (exception is not null)
                    stderr.WriteLine(exception);
            }
        }
    }
}
