using System.Net;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Where a PostgreSQL database is. The password is only ever handed to pg_dump/pg_restore through the
/// environment (PGPASSWORD), never on a command line, and <see cref="ToString"/> leaves it out.
/// </summary>
public sealed record PostgresConnectionInfo(string Host, int Port, string Database, string Username, string? Password = null)
{
    /// <summary>TLS: verified (default), required without verification, or off.</summary>
    public PostgresSslMode SslMode { get; init; } = PostgresSslMode.VerifyFull;

    /// <summary>PEM bundle of the roots <see cref="PostgresSslMode.VerifyFull"/> trusts; null: the system's (<see cref="PostgresTrustedRoots"/>).</summary>
    public string? SslRootCertFile { get; init; }

    /// <summary>
    /// The address to connect to, already checked (the service's <see cref="Network.NetworkPolicy"/>); null: resolve
    /// <see cref="Host"/>. With an address, <see cref="Host"/> is still the name the server's certificate must carry,
    /// so a name that resolves elsewhere between the check and the connection (DNS rebinding) cannot move the connection.
    /// </summary>
    public IPAddress? HostAddress { get; init; }

    public override string ToString() => $"postgres://{Username}@{Host}:{Port}/{Database}";
}
