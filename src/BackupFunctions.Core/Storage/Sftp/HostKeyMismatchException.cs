using Renci.SshNet.Common;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>The server presented a host key other than the pinned one; the connection was refused before authentication.</summary>
internal sealed class HostKeyMismatchException(string expected, string presented, Exception innerException)
    : SshException($"The server's host key is {presented}, but the settings pin {expected}; the connection was refused before authentication "
                   + "(if the server's key was changed on purpose, pin the new fingerprint: ssh-keygen -lf <host key>.pub).", innerException)
{
    public string Expected { get; } = expected;

    public string Presented { get; } = presented;
}
