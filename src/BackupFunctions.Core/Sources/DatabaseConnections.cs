using System.Net.Sockets;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Turns a config's database into the connection the service makes, at connect time: the host is resolved once
/// through the <see cref="NetworkPolicy"/> and the connection goes to that checked address, while TLS still checks
/// the certificate against the configured name; the TLS mode comes from the config and the trusted roots from the
/// app's settings (<see cref="PostgresToolsOptions.SslRootCertFile"/>).
/// </summary>
/// <remarks>
/// The create-time check (<see cref="BackupConfigChecks"/>) cannot judge a name, and a config stored by an older
/// version was never checked at all: this is where a host that leads to a metadata, loopback or private address is
/// refused, before any packet is sent to it.
/// </remarks>
public sealed class DatabaseConnections(DatabasePasswords passwords, NetworkPolicy network, PostgresToolsOptions tools)
{
    /// <summary>The connection to <paramref name="source"/>, its host resolved and checked just now.</summary>
    /// <exception cref="NetworkRefusedException">The host leads only to addresses the service may not connect to.</exception>
    /// <exception cref="PostgresToolException">The host name does not resolve.</exception>
    /// <exception cref="InvalidOperationException">The stored config's sslMode is not a known word, or its password setting is missing.</exception>
    public async Task<PostgresConnectionInfo> ConnectToAsync(DatabaseSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return await ConnectAsync(source, source.Username, () => passwords.Resolve(source), cancellationToken);
    }

    /// <summary>
    /// The connection a restore into <paramref name="source"/> makes: as its restore role (<see cref="DatabaseSource.Restore"/>)
    /// when the config names one, else as the backup role; same address check and TLS as <see cref="ConnectToAsync"/>.
    /// </summary>
    public async Task<PostgresConnectionInfo> ConnectForRestoreAsync(DatabaseSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Restore is { } role
            ? await ConnectAsync(source, role.Username, () => passwords.ResolveRestore(source), cancellationToken)
            : await ConnectToAsync(source, cancellationToken);
    }

    private async Task<PostgresConnectionInfo> ConnectAsync(
        DatabaseSource source, string username, Func<string?> password, CancellationToken cancellationToken)
    {
        if (!PostgresSslModes.TryParse(source.SslMode, out var sslMode))
            throw new InvalidOperationException(
                $"database.sslMode '{source.SslMode}' is none of {string.Join(", ", PostgresSslModes.Names)}.");

        System.Net.IPAddress[] addresses;
        try
        {
            addresses = await network.ResolveAsync(source.Host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new PostgresToolException($"cannot resolve the database host '{source.Host}': {e.Message}", e);
        }

        // The first allowed address in the resolver's order: the tools would try it first too. One address for
        // Npgsql and pg_dump alike, so the snapshot pg_dump imports is on the server Npgsql exported it from.
        return new PostgresConnectionInfo(source.Host, source.Port, source.Database, username, password())
        {
            SslMode = sslMode,
            SslRootCertFile = string.IsNullOrEmpty(tools.SslRootCertFile) ? null : tools.SslRootCertFile,
            HostAddress = addresses[0],
        };
    }
}
