using System.Net;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// TLS to the real test server (scripts/services.sh: a throwaway CA, a certificate for 127.0.0.1 and localhost), for
/// both sides of a dump: Npgsql (describe, create, drop) and libpq (pg_dump, pg_restore) must accept and refuse the
/// same servers.
/// </summary>
public sealed class PostgresTlsTests : IDisposable
{
    /// <summary>A name the server's certificate does not carry; .invalid never resolves, and it is never looked up here.</summary>
    private const string NameNotInCertificate = "postgres.invalid";

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    private readonly TempFolder _folder = new("bf-pgtls-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Verify_full_with_the_servers_CA_connects_over_TLS_for_Npgsql_and_pg_dump()
    {
        var connection = TestEnvironment.Postgres();
        Assert.Equal(PostgresSslMode.VerifyFull, new PostgresConnectionInfo("h", 1, "d", "u").SslMode);

        Assert.True(await NpgsqlUsesTlsAsync(connection));
        var dump = await PgDumpSchemaAsync(connection);
        Assert.True(dump.ExitCode == 0, dump.Stderr);
    }

    [Fact]
    public async Task Verify_full_refuses_a_server_certificate_that_another_CA_issued()
    {
        var otherCa = ThrowawayCa.WritePem(_folder);
        var connection = TestEnvironment.Postgres() with { SslRootCertFile = otherCa };

        var error = await Assert.ThrowsAsync<PostgresToolException>(() => NpgsqlUsesTlsAsync(connection));
        Assert.Contains("TLS certificate was rejected (sslMode verify-full)", error.Message, StringComparison.Ordinal);
        Assert.Contains(otherCa, error.Message, StringComparison.Ordinal);

        var dump = await PgDumpSchemaAsync(connection);
        Assert.NotEqual(0, dump.ExitCode);
        Assert.Contains("certificate verify failed", dump.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_full_refuses_a_host_name_the_certificate_does_not_carry()
    {
        // Dialled at the server's address, but configured under another name: the certificate is checked against the name.
        var connection = TestEnvironment.Postgres() with { Host = NameNotInCertificate, HostAddress = IPAddress.Loopback };

        var error = await Assert.ThrowsAsync<PostgresToolException>(() => NpgsqlUsesTlsAsync(connection));
        Assert.Contains("TLS certificate was rejected (sslMode verify-full)", error.Message, StringComparison.Ordinal);
        Assert.Contains($"for the host name '{NameNotInCertificate}'", error.Message, StringComparison.Ordinal);

        var dump = await PgDumpSchemaAsync(connection);
        Assert.NotEqual(0, dump.ExitCode);
        Assert.Contains($"does not match host name \"{NameNotInCertificate}\"", dump.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checked_address_is_dialled_and_the_configured_name_is_what_TLS_verifies()
    {
        // localhost is in the certificate: verified against the name while connected to the address.
        var byName = TestEnvironment.Postgres() with { Host = "localhost", HostAddress = IPAddress.Loopback };
        Assert.True(await NpgsqlUsesTlsAsync(byName));
        var dump = await PgDumpSchemaAsync(byName);
        Assert.True(dump.ExitCode == 0, dump.Stderr);

        // A name that cannot resolve still reaches the server: the tools never look the name up again.
        var unresolvable = TestEnvironment.Postgres() with { Host = NameNotInCertificate, HostAddress = IPAddress.Loopback, SslMode = PostgresSslMode.Require };
        Assert.True(await NpgsqlUsesTlsAsync(unresolvable));
        dump = await PgDumpSchemaAsync(unresolvable);
        Assert.True(dump.ExitCode == 0, dump.Stderr);
    }

    [Fact]
    public async Task Require_encrypts_without_checking_the_certificate()
    {
        var connection = TestEnvironment.Postgres() with { SslMode = PostgresSslMode.Require, SslRootCertFile = ThrowawayCa.WritePem(_folder) };

        Assert.True(await NpgsqlUsesTlsAsync(connection));
        var dump = await PgDumpSchemaAsync(connection);
        Assert.True(dump.ExitCode == 0, dump.Stderr);
    }

    [Fact]
    public async Task Disable_connects_without_TLS()
    {
        var connection = TestEnvironment.Postgres() with { SslMode = PostgresSslMode.Disable, SslRootCertFile = ThrowawayCa.WritePem(_folder) };

        Assert.False(await NpgsqlUsesTlsAsync(connection));
        var dump = await PgDumpSchemaAsync(connection);
        Assert.True(dump.ExitCode == 0, dump.Stderr);
    }

    [Fact]
    public async Task The_server_refuses_the_tls_only_role_in_plain_text()
    {
        // The control for the tests that back up and restore as this role: it really cannot get in without TLS.
        var plain = TestEnvironment.Postgres() with { Username = TestEnvironment.PostgresTlsOnlyUser, SslMode = PostgresSslMode.Disable };
        var error = await Assert.ThrowsAsync<PostgresToolException>(() => NpgsqlUsesTlsAsync(plain));
        Assert.Contains("no encryption", error.Message, StringComparison.Ordinal);

        Assert.True(await NpgsqlUsesTlsAsync(plain with { SslMode = PostgresSslMode.VerifyFull }));
    }

    [Theory]
    [InlineData(PostgresSslMode.VerifyFull, "verify-full")]
    [InlineData(PostgresSslMode.Require, "require")]
    [InlineData(PostgresSslMode.Disable, "disable")]
    public void The_tools_get_the_mode_the_roots_and_the_checked_address_in_their_environment(PostgresSslMode mode, string word)
    {
        var connection = new PostgresConnectionInfo("db.example", 5432, "cms", "app", "s3cret")
        {
            SslMode = mode,
            SslRootCertFile = "/etc/bf/roots.pem",
            HostAddress = IPAddress.Parse("10.1.2.3"),
        };

        var environment = PostgresProcess.ChildEnvironment(connection);

        Assert.Equal(word, environment["PGSSLMODE"]);
        // Only verify-full names the roots: under require libpq would verify against any file it is given.
        Assert.Equal(mode == PostgresSslMode.VerifyFull ? "/etc/bf/roots.pem" : null, environment["PGSSLROOTCERT"]);
        Assert.Equal("10.1.2.3", environment["PGHOSTADDR"]);
        Assert.Equal("s3cret", environment["PGPASSWORD"]);
        Assert.Contains("--host=db.example", PostgresProcess.ConnectionArguments(connection));
        Assert.Null(PostgresProcess.ChildEnvironment(connection with { HostAddress = null })["PGHOSTADDR"]);
    }

    [Fact]
    public void Without_a_file_of_its_own_a_connection_trusts_the_systems_CA_bundle()
    {
        Assert.NotNull(PostgresTrustedRoots.SystemBundle);
        Assert.Equal(PostgresTrustedRoots.SystemBundle, PostgresTrustedRoots.For(new PostgresConnectionInfo("h", 1, "d", "u")));
        Assert.Null(PostgresTrustedRoots.Check(""));
        Assert.Null(PostgresTrustedRoots.Check(TestEnvironment.PostgresRootCert));
        Assert.Contains("does not exist", PostgresTrustedRoots.Check(_folder.Combine("missing.pem")), StringComparison.Ordinal);
        File.WriteAllText(_folder.Combine("empty.pem"), "not a certificate");
        Assert.Contains("no PEM certificate", PostgresTrustedRoots.Check(_folder.Combine("empty.pem")), StringComparison.Ordinal);
    }

    /// <summary>Opens the way the engine does and asks the server whether this very connection is encrypted.</summary>
    private static async Task<bool> NpgsqlUsesTlsAsync(PostgresConnectionInfo connection)
    {
        await using var npgsql = await PostgresConnections.OpenAsync(connection, null, CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()", npgsql);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>pg_dump as the dumper runs it (same arguments and environment), schema only.</summary>
    private static Task<PostgresProcess.Outcome> PgDumpSchemaAsync(PostgresConnectionInfo connection) =>
        PostgresProcess.RunAsync(
            PostgresProcess.ToolPath(Tools, "pg_dump"),
            ["--schema-only", .. PostgresProcess.ConnectionArguments(connection)],
            connection,
            redirectStdin: false,
            redirectStdout: true,
            (process, ct) => process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, ct),
            CancellationToken.None);
}
