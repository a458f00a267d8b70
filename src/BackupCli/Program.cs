using BackupCli;

// Ctrl+C cancels the running command; the token reaches every stream and child process (pg_dump, pg_restore).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await BackupCtl.RunAsync(args, Console.Out, Console.Error, environment: null, stdoutIsTerminal: !Console.IsOutputRedirected, cancellation.Token);
