using System.Text;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>Everything an <see cref="SftpStore"/> needs to reach its folder. <see cref="ToString"/> prints no secrets.</summary>
public sealed record SftpStoreSettings
{
    /// <summary>Owner read/write (0600).</summary>
    public const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read/write/search (0700).</summary>
    public const UnixFileMode DefaultFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Host name or IP address of the SSH server.</summary>
    public required string Host { get; init; }

    public int Port { get; init; } = 22;

    public required string UserName { get; init; }

    /// <summary>
    /// The folder the objects live in: relative to the folder the server starts the session in (the user's home,
    /// usually) unless it starts with '/'. Empty means that login folder itself. The store creates the folder on the
    /// first put when its parent exists; a missing parent is reported as <see cref="StoreFailureKind.ContainerNotFound"/>
    /// rather than created, so a typo in the path does not quietly grow a new tree.
    /// </summary>
    public string BasePath { get; init; } = "";

    /// <summary>Password for password authentication; null when only the key is used.</summary>
    public string? Password { get; init; }

    /// <summary>A private key as text (OpenSSH <c>-----BEGIN OPENSSH PRIVATE KEY-----</c> or PEM); null when only the password is used.</summary>
    public string? PrivateKey { get; init; }

    /// <summary>Passphrase of an encrypted <see cref="PrivateKey"/>.</summary>
    public string? PrivateKeyPassphrase { get; init; }

    /// <summary>
    /// The server's host key as <c>ssh-keygen -lf</c> prints it (<c>SHA256:</c> followed by unpadded base64).
    /// Required: a server presenting any other key is refused before a password or key signature is sent.
    /// </summary>
    public required string HostKeyFingerprint { get; init; }

    /// <summary>How long connecting, the SSH handshake and authentication may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one SFTP request (open, read, write, stat, rename, …) may wait for its answer.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Mode of the files the store creates (the server's umask does not narrow it).</summary>
    public UnixFileMode FileMode { get; init; } = DefaultFileMode;

    /// <summary>Mode of the folders the store creates.</summary>
    public UnixFileMode FolderMode { get; init; } = DefaultFolderMode;

    /// <summary>How many idle connections are kept for reuse; parallel calls open more, which are closed when done.</summary>
    public int MaxIdleConnections { get; init; } = 4;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Host = {Host}, Port = {Port}, UserName = {UserName}, BasePath = {BasePath}, ");
        builder.Append($"Password = {(Password is null ? "null" : "***")}, PrivateKey = {(PrivateKey is null ? "null" : "***")}, ");
        builder.Append($"PrivateKeyPassphrase = {(PrivateKeyPassphrase is null ? "null" : "***")}, HostKeyFingerprint = {HostKeyFingerprint}, ");
        builder.Append($"ConnectTimeout = {ConnectTimeout}, OperationTimeout = {OperationTimeout}, ");
        builder.Append($"FileMode = {FileMode}, FolderMode = {FolderMode}, MaxIdleConnections = {MaxIdleConnections}");
        return true;
    }
}
