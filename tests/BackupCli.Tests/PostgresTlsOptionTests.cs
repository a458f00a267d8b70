using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// backupctl verifies the database server's certificate by default, like the service: SSL Mode and Root Certificate in
/// the connection string, else PGSSLMODE and PGSSLROOTCERT, else verify-full against the system's CA bundle (which
/// does not hold the test server's throwaway CA).
/// </summary>
public sealed class PostgresTlsOptionTests : IAsyncLifetime
{
    private CmsSource _source = null!;

    public async Task InitializeAsync() => _source = await CmsSource.CreateAsync();

    public async Task DisposeAsync() => await _source.DisposeAsync();

    /// <summary>The database without any TLS word: what an operator types when they do not think about TLS.</summary>
    private string PlainConnectionString =>
        $"Host={TestEnvironment.PostgresHost};Port={TestEnvironment.PostgresPort};Database={_source.Database.Name};Username=postgres";

    [Fact]
    public async Task By_default_a_server_whose_CA_is_not_trusted_is_refused_with_a_clear_message()
    {
        var result = await BackupAsync(PlainConnectionString);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("TLS certificate was rejected (sslMode verify-full)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_CA_can_be_named_in_the_string_or_in_PGSSLROOTCERT()
    {
        var inString = await BackupAsync(PlainConnectionString + $";Root Certificate={TestEnvironment.PostgresRootCert}");
        Assert.True(inString.ExitCode == 0, inString.ToString());

        var inEnvironment = await BackupAsync(PlainConnectionString, new() { ["PGSSLROOTCERT"] = TestEnvironment.PostgresRootCert });
        Assert.True(inEnvironment.ExitCode == 0, inEnvironment.ToString());
    }

    [Fact]
    public async Task Require_and_disable_back_up_without_the_CA()
    {
        var require = await BackupAsync(PlainConnectionString + ";SSL Mode=Require");
        Assert.True(require.ExitCode == 0, require.ToString());

        var disable = await BackupAsync(PlainConnectionString, new() { ["PGSSLMODE"] = "disable" });
        Assert.True(disable.ExitCode == 0, disable.ToString());
    }

    [Theory]
    [InlineData(";SSL Mode=Prefer", null, "SSL Mode=Prefer")]
    [InlineData(";SslMode=VerifyCA", null, "SSL Mode=VerifyCA")]
    [InlineData("", "verify-ca", "PGSSLMODE=verify-ca")]
    [InlineData(";Root Certificate=/nonexistent/roots.pem", null, "/nonexistent/roots.pem")]
    public async Task A_mode_that_verifies_less_than_asked_or_a_missing_root_file_is_bad_usage(string extra, string? pgSslMode, string mentioned)
    {
        var environment = pgSslMode is null ? new Dictionary<string, string>() : new() { ["PGSSLMODE"] = pgSslMode };

        var result = await BackupAsync(PlainConnectionString + extra, environment);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(mentioned, result.Stderr, StringComparison.Ordinal);
    }

    private Task<CliResult> BackupAsync(string connectionString, Dictionary<string, string>? environment = null) =>
        Cli.RunAsync(environment ?? [],
            "backup", "--to", Cli.FileUri(_source.NewFolder("dest")), "--type", "database", "--db", connectionString, "--key-file", _source.KeyFile);
}
