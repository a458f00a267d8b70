using System.Net;
using System.Net.Sockets;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// A config's database host is judged when the backup connects, by what it resolves to then: a stored config (perhaps
/// from before the create-time check) or a name that resolves to a refused address never gets a connection.
/// </summary>
public sealed class DatabaseConnectionsTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public DatabaseConnectionsTests() => _listener.Start();

    private int ListenerPort => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Dispose() => _listener.Dispose();

    [Theory]
    [InlineData("localhost")]   // a name: allowed at create time as a name, resolves to loopback when the backup runs
    [InlineData("127.0.0.1")]
    public async Task A_host_that_leads_to_loopback_is_refused_at_connect_time_when_loopback_is_not_allowed(string host)
    {
        var connections = Connections(allowedRanges: "");

        var error = await Assert.ThrowsAsync<NetworkRefusedException>(
            () => connections.ConnectToAsync(Source(host, ListenerPort), CancellationToken.None));

        Assert.Contains($"'{host}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Network__AllowedRanges", error.Message, StringComparison.Ordinal);
        Assert.False(_listener.Pending(), "nothing may connect to a refused host");
    }

    [Fact]
    public async Task A_metadata_address_is_refused_whatever_ranges_are_allowed()
    {
        var connections = Connections(allowedRanges: "0.0.0.0/0, ::/0");

        var error = await Assert.ThrowsAsync<NetworkRefusedException>(
            () => connections.ConnectToAsync(Source("169.254.169.254", 5432), CancellationToken.None));

        Assert.Contains("link-local or cloud metadata", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_host_is_resolved_once_into_the_address_to_dial_and_keeps_its_name_for_TLS()
    {
        using var folder = new TempFolder("bf-dbconn-");
        var roots = ThrowawayCa.WritePem(folder);
        var connections = Connections(allowedRanges: "127.0.0.0/8", rootCertFile: roots);

        var connection = await connections.ConnectToAsync(Source("localhost", 5432) with { SslMode = "require" }, CancellationToken.None);

        Assert.Equal("localhost", connection.Host);
        Assert.Equal(IPAddress.Loopback, connection.HostAddress);
        Assert.Equal(PostgresSslMode.Require, connection.SslMode);
        Assert.Equal(roots, connection.SslRootCertFile);
        Assert.Equal(PostgresSslMode.VerifyFull, (await connections.ConnectToAsync(Source("localhost", 5432), CancellationToken.None)).SslMode);
    }

    [Fact]
    public async Task A_stored_sslMode_that_is_no_known_word_fails_instead_of_falling_back()
    {
        var connections = Connections(allowedRanges: "127.0.0.0/8");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => connections.ConnectToAsync(Source("127.0.0.1", 5432) with { SslMode = "prefer" }, CancellationToken.None));

        Assert.Contains("database.sslMode 'prefer'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restore_connects_as_the_restore_role_with_its_own_password_setting_and_the_same_checks()
    {
        var passwords = new DatabasePasswords(TestSecretReferences.With(
            ("BackupSecrets:CMS_BACKUP", "backup-password"), ("BackupSecrets:CMS_OWNER", "owner-password")));
        var connections = new DatabaseConnections(passwords, NetworkPolicy.FromOptions(new NetworkOptions { AllowedRanges = "127.0.0.0/8" }), new PostgresToolsOptions());
        var source = Source("localhost", 5432) with { PasswordSetting = "BackupSecrets__CMS_BACKUP" };

        var asBackupRole = await connections.ConnectForRestoreAsync(source, CancellationToken.None);
        var asOwner = await connections.ConnectForRestoreAsync(
            source with { Restore = new DatabaseRestoreRole { Username = "cms_owner", PasswordSetting = "BackupSecrets__CMS_OWNER" } }, CancellationToken.None);

        Assert.Equal(("backup", "backup-password"), (asBackupRole.Username, asBackupRole.Password));
        Assert.Equal(("cms_owner", "owner-password"), (asOwner.Username, asOwner.Password));
        Assert.Equal(IPAddress.Loopback, asOwner.HostAddress);
        await Assert.ThrowsAsync<NetworkRefusedException>(() => Connections(allowedRanges: "").ConnectForRestoreAsync(
            source with { Restore = new DatabaseRestoreRole { Username = "cms_owner" } }, CancellationToken.None));
        var outside = await Assert.ThrowsAsync<InvalidOperationException>(() => connections.ConnectForRestoreAsync(
            source with { Restore = new DatabaseRestoreRole { Username = "cms_owner", PasswordSetting = "Keys:TransitKey" } }, CancellationToken.None));
        Assert.Contains("database.restore.passwordSetting", outside.Message, StringComparison.Ordinal);
    }

    private static DatabaseSource Source(string host, int port) => new() { Host = host, Port = port, Database = "cms", Username = "backup" };

    private static DatabaseConnections Connections(string allowedRanges, string rootCertFile = "") => new(
        new DatabasePasswords(TestSecretReferences.None),
        NetworkPolicy.FromOptions(new NetworkOptions { AllowedRanges = allowedRanges }),
        new PostgresToolsOptions { SslRootCertFile = rootCertFile });
}
