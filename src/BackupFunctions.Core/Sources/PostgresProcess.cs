using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Runs one PostgreSQL client tool (pg_dump, pg_restore) with its connection given as arguments and its password,
/// TLS mode, trusted roots and checked address in the child's environment only, pumps one of its standard streams,
/// and keeps the tail of its stderr for the error.
/// </summary>
internal static class PostgresProcess
{
    private const int StderrTailChars = 64 * 1024;
    private const int CopyBufferSize = 128 * 1024;

    /// <summary>What the tool said and how it ended.</summary>
    internal sealed record Outcome(int ExitCode, string Stderr);

    public static string ToolPath(PostgresToolsOptions options, string tool)
    {
        var fileName = OperatingSystem.IsWindows() ? tool + ".exe" : tool;
        return string.IsNullOrWhiteSpace(options.BinDirectory) ? fileName : Path.Combine(options.BinDirectory, fileName);
    }

    /// <summary>
    /// Connection arguments. The database goes in as a quoted conninfo string: a bare <c>--dbname</c> containing '='
    /// would itself be parsed as a conninfo and could redirect the tool (and PGPASSWORD) to another host.
    /// </summary>
    public static IEnumerable<string> ConnectionArguments(PostgresConnectionInfo connection) =>
    [
        "--no-password",
        "--host=" + connection.Host,
        "--port=" + connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--username=" + connection.Username,
        "--dbname=dbname=" + QuoteConninfoValue(connection.Database),
    ];

    internal static string QuoteConninfoValue(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>
    /// What libpq reads from the environment for <paramref name="connection"/>; a null value removes a variable the
    /// service's own environment may hold, so nothing but the connection decides where the tool goes and what it trusts.
    /// </summary>
    /// <remarks>
    /// PGHOSTADDR with the name in <c>--host</c>: libpq connects to the address and checks the certificate against
    /// the name (and looks up no address itself). Under <c>require</c> PGSSLROOTCERT stays unset: libpq would verify
    /// the chain whenever that file exists, which Npgsql's <c>Require</c> does not.
    /// </remarks>
    public static IReadOnlyDictionary<string, string?> ChildEnvironment(PostgresConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PGPASSWORD"] = connection.Password,
            ["PGSSLMODE"] = PostgresSslModes.Word(connection.SslMode),
            ["PGSSLROOTCERT"] = connection.SslMode == PostgresSslMode.VerifyFull ? PostgresTrustedRoots.For(connection) : null,
            ["PGHOSTADDR"] = connection.HostAddress?.ToString(),
        };
    }

    /// <summary>
    /// Starts the tool, runs <paramref name="pump"/> (which feeds stdin or drains stdout) and waits for the exit.
    /// If the pump throws or <paramref name="cancellationToken"/> fires, the whole process tree is killed first.
    /// </summary>
    /// <param name="connection">The server the tool talks to (its <see cref="ChildEnvironment"/>); null for a tool that talks to none.</param>
    public static async Task<Outcome> RunAsync(
        string toolPath,
        IEnumerable<string> arguments,
        PostgresConnectionInfo? connection,
        bool redirectStdin,
        bool redirectStdout,
        Func<Process, CancellationToken, Task> pump,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(toolPath)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardError = true,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        if (connection is not null)
        {
            foreach (var (name, value) in ChildEnvironment(connection))
            {
                if (value is null)
                    startInfo.Environment.Remove(name);
                else
                    startInfo.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new PostgresToolException($"{Path.GetFileName(toolPath)} could not be started ({toolPath}): {ex.Message}", ex);
        }

        var stderr = ReadTailAsync(process.StandardError);
        try
        {
            using (cancellationToken.Register(() => Kill(process)))
            {
                await pump(process, cancellationToken);
                await process.WaitForExitAsync(cancellationToken);
            }
        }
        catch
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            await stderr;
            throw;
        }

        return new Outcome(process.ExitCode, (await stderr).Trim());
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the tool's stdin and closes it. Returns false when the tool stopped
    /// reading (broken pipe) before the end; its exit code then says whether that was a failure. Exceptions from
    /// <paramref name="source"/> itself propagate.
    /// </summary>
    public static async Task<bool> FeedStdinAsync(Process process, Stream source, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                try
                {
                    await stdin.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                catch (IOException)
                {
                    return false;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            try
            {
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The tool is gone already; its exit code tells the story.
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exiting while we tried.
        }
    }

    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > StderrTailChars)
                tail.Remove(0, tail.Length - StderrTailChars);
        }

        return tail.ToString();
    }
}
