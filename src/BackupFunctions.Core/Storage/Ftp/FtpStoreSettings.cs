using System.Text;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>Everything an <see cref="FtpStore"/> needs to reach its folder. Printing it never shows the password.</summary>
/// <param name="Host">Server name or address.</param>
/// <param name="Port">Control port (21 for FTP and explicit FTPS).</param>
/// <param name="User">Login name.</param>
/// <param name="Password">Login password (a secret: never printed, never in messages).</param>
/// <param name="BasePath">The folder that holds the objects; it must exist. Absolute (<c>/backups/site1</c>) or relative to the login folder.</param>
public sealed record FtpStoreSettings(string Host, int Port, string User, string Password, string BasePath)
{
    /// <summary>Plain FTP or explicit FTPS.</summary>
    public FtpTlsMode TlsMode { get; init; } = FtpTlsMode.None;

    /// <summary>
    /// SHA-256 of the server's certificate (hex, colons and case ignored). When set, exactly this certificate is
    /// accepted (self-signed ones included) and any other is refused; when empty, the certificate must pass the
    /// normal chain and host name validation.
    /// </summary>
    public string? CertificateSha256 { get; init; }

    /// <summary>How long a TCP connect (control or data) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the server may stay silent: waiting for a reply, or for any progress of a transfer.</summary>
    public TimeSpan ReadWriteTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most control connections open at once (each operation, and each open read stream, holds one).</summary>
    public int MaxConnections { get; init; } = 4;

    // The generated ToString would print the password.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Host = {Host}, Port = {Port}, User = {User}, Password = ***, BasePath = {BasePath}, TlsMode = {TlsMode}, ");
        builder.Append($"CertificateSha256 = {CertificateSha256}, ConnectTimeout = {ConnectTimeout}, ReadWriteTimeout = {ReadWriteTimeout}, MaxConnections = {MaxConnections}");
        return true;
    }
}
