using System.Diagnostics;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// Which pg_dump the service runs and whether it can dump the server: the real tools and the real PostgreSQL test
/// server, and for "server newer than the tools" a stand-in pg_dump (a shell script) that answers <c>--version</c>
/// with an old version and records any other call, since the test machine has one PostgreSQL major only.
/// </summary>
public sealed class PostgresToolVersionTests
{
    private static string RealBin => TestEnvironment.PostgresBinDirectory;

    [Theory]
    [InlineData("pg_dump (PostgreSQL) 16.4 (Debian 16.4-1.pgdg120+1)\n", "16.4", 16)]
    [InlineData("pg_dump (PostgreSQL) 17.2\n", "17.2", 17)]
    [InlineData("pg_restore (PostgreSQL) 18beta1\n", "18beta1", 18)]
    [InlineData("pg_dump (PostgreSQL) 9.6.24\n", "9.6.24", 9)]
    public void Parse_reads_the_version_and_major(string output, string version, int major)
        => Assert.Equal((version, major), PostgresToolVersions.Parse(output));

    [Theory]
    [InlineData("")]
    [InlineData("command not found")]
    [InlineData("pg_dump (PostgreSQL) x")]
    public void Parse_of_other_output_is_null(string output) => Assert.Null(PostgresToolVersions.Parse(output));

    [Theory]
    [InlineData("pg_dump")]
    [InlineData("pg_restore")]
    public async Task Probe_reports_the_real_tools_version_and_full_path(string tool)
    {
        var expected = await RunVersionAsync(Path.Combine(RealBin, tool));

        var found = await PostgresToolVersions.ProbeAsync(new PostgresToolsOptions { BinDirectory = RealBin }, tool, CancellationToken.None);

        Assert.True(found.Found, found.Error);
        Assert.Null(found.Error);
        Assert.Equal(tool, found.Tool);
        Assert.Equal(Path.GetFullPath(Path.Combine(RealBin, tool)), found.Path);
        Assert.Contains($"(PostgreSQL) {found.Version}", expected, StringComparison.Ordinal);
        Assert.StartsWith(found.Major + ".", found.Version + ".", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_of_a_missing_tool_says_so_and_names_the_setting()
    {
        using var empty = new TempFolder();

        var found = await PostgresToolVersions.ProbeAsync(new PostgresToolsOptions { BinDirectory = empty.Path }, "pg_dump", CancellationToken.None);

        Assert.False(found.Found);
        Assert.Null(found.Version);
        Assert.Contains("pg_dump was not found in '" + empty.Path + "'", found.Error, StringComparison.Ordinal);
        Assert.Contains("Postgres__BinDirectory", found.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dump_of_a_server_newer_than_pg_dump_fails_before_pg_dump_runs_and_says_what_to_install()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfver");
        await source.ExecuteAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
        var serverVersion = (await source.ScalarAsync<string>("SHOW server_version")).Split(' ')[0];
        var serverMajor = await source.ScalarAsync<int>("SELECT current_setting('server_version_num')::int") / 10000;
        using var bin = new TempFolder();
        var called = bin.Combine("called");
        var fake = WriteFakePgDump(bin.Path, "12.0", called);
        using var output = new MemoryStream();

        var error = await Assert.ThrowsAsync<PostgresToolException>(() =>
            new PostgresDumper(new PostgresToolsOptions { BinDirectory = bin.Path }).DumpAsync(source.Connection, output, CancellationToken.None));

        Assert.Equal(
            $"PostgreSQL server {serverVersion} is newer than pg_dump 12.0 at {fake}: install the PostgreSQL {serverMajor} client tools (see docs/deployment.md)",
            error.Message);
        Assert.False(File.Exists(called), "pg_dump was run to dump although its version was too old");
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task Dump_with_pg_dump_of_the_servers_major_runs_it()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfver");
        await source.ExecuteAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
        var serverVersion = (await source.ScalarAsync<string>("SHOW server_version")).Split(' ')[0];
        using var bin = new TempFolder();
        var called = bin.Combine("called");
        WriteFakePgDump(bin.Path, serverVersion, called, Path.Combine(RealBin, "pg_dump"));
        using var output = new MemoryStream();

        var info = await new PostgresDumper(new PostgresToolsOptions { BinDirectory = bin.Path }).DumpAsync(source.Connection, output, CancellationToken.None);

        Assert.True(File.Exists(called));
        Assert.Equal("PGDMP"u8.ToArray(), output.ToArray()[..5]);
        Assert.Equal([("public.t", 1L)], info.Tables.Select(t => (t.Table, t.Rows)));
    }

    /// <summary>
    /// A pg_dump that prints <c>pg_dump (PostgreSQL) {version}</c> for <c>--version</c>; any other call touches
    /// <paramref name="called"/> and runs <paramref name="real"/> when given (else fails).
    /// </summary>
    private static string WriteFakePgDump(string folder, string version, string called, string? real = null)
    {
        var path = Path.Combine(folder, "pg_dump");
        var rest = real is null ? "exit 1" : $"exec '{real}' \"$@\"";
        File.WriteAllText(path, $"""
            #!/bin/sh
            if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) {version}"; exit 0; fi
            touch '{called}'
            {rest}

            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static async Task<string> RunVersionAsync(string tool)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, "--version") { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
