using System.Globalization;
using BackupFunctions.Core.Storage;

namespace BackupCli;

/// <summary>
/// <c>sftp://user@host[:port]/path[?hostKey=SHA256:…]</c>: the folder <c>path</c> relative to the login folder, or
/// absolute with a second slash (<c>sftp://user@host//srv/backups</c>), as duplicity and restic write it.
/// Credentials come only from the environment: <see cref="PasswordVariable"/>, or a key file named by
/// <see cref="KeyFileVariable"/> (with <see cref="KeyPassphraseVariable"/>). The server's host key fingerprint is
/// required, from the URI or <see cref="HostKeyVariable"/>.
/// </summary>
internal sealed record SftpDestination(string User, string Host, int Port, string BasePath, string? HostKey)
{
    public const string PasswordVariable = "BACKUPCTL_SFTP_PASSWORD";
    public const string KeyFileVariable = "BACKUPCTL_SFTP_KEY_FILE";
    public const string KeyPassphraseVariable = "BACKUPCTL_SFTP_KEY_PASSPHRASE";
    public const string HostKeyVariable = "BACKUPCTL_SFTP_HOST_KEY";

    private const string Form = "sftp://user@host[:port]/path[?hostKey=SHA256:...]";

    public static SftpDestination Parse(string text)
    {
        var rest = text["sftp://".Length..];
        var query = "";
        var questionMark = rest.IndexOf('?', StringComparison.Ordinal);
        if (questionMark >= 0)
        {
            query = rest[(questionMark + 1)..];
            rest = rest[..questionMark];
        }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]);

        var at = authority.LastIndexOf('@');
        if (at < 0)
            throw new UsageException($"'{text}' names no user; use {Form}.");
        var user = Uri.UnescapeDataString(authority[..at]);
        if (user.Contains(':', StringComparison.Ordinal))
            throw new UsageException($"a password does not belong in the URI (command lines end up in shell histories and process lists); set {PasswordVariable} or {KeyFileVariable} instead.");
        if (user.Length == 0)
            throw new UsageException($"'{text}' names no user; use {Form}.");

        var (host, port) = ParseHostAndPort(text, authority[(at + 1)..]);
        // A second slash makes the path absolute; the first one only separates it from the host.
        var folders = path.Trim('/');
        if ((folders.Length > 0 && folders.Split('/').Any(segment => segment is "" or "." or ".."))
            || path.Any(c => c == '\\' || char.IsControl(c)))
        {
            throw new UsageException($"the path '{path}' in '{text}' must be '/'-separated folder names without empty, '.' or '..' segments.");
        }

        string? hostKey = null;
        foreach (var option in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? option : option[..equals];
            var value = equals < 0 ? "" : Uri.UnescapeDataString(option[(equals + 1)..]);
            hostKey = name switch
            {
                "hostKey" => value,
                _ => throw new UsageException($"unknown option '{name}' in '{text}'; sftp:// knows hostKey=SHA256:..."),
            };
        }
        return new SftpDestination(user, host, port, path.Length > 1 ? path.TrimEnd('/') : path, hostKey);
    }

    /// <summary>
    /// The settings and secrets of this destination as a storage location of type <c>sftp</c> takes them (see
    /// <see cref="StorageSettingsSchema"/>), with credentials and host key from the environment (the host key may also
    /// come from the URI); <see cref="BackupStoreFactory"/> builds the store.
    /// </summary>
    public (Dictionary<string, string> Settings, Dictionary<string, string> Secrets) ToLocation(CliContext context)
    {
        var hostKey = HostKey ?? context.GetEnvironmentVariable(HostKeyVariable)
            ?? throw new UsageException(
                $"sftp:// needs the server's host key fingerprint: add ?hostKey=SHA256:... or set {HostKeyVariable} "
                + "(on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub).");
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (context.GetEnvironmentVariable(PasswordVariable) is { } password)
            secrets["password"] = password;
        if (context.GetEnvironmentVariable(KeyFileVariable) is { } keyFile)
        {
            try
            {
                secrets["privateKey"] = File.ReadAllText(keyFile);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{KeyFileVariable} names '{keyFile}', which cannot be read: {ex.Message}", ex);
            }
        }
        if (secrets.Count == 0)
            throw new UsageException($"sftp:// needs credentials in the environment: set {PasswordVariable}, or {KeyFileVariable} (and {KeyPassphraseVariable} for an encrypted key).");
        if (context.GetEnvironmentVariable(KeyPassphraseVariable) is { } passphrase)
            secrets["privateKeyPassphrase"] = passphrase;

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = Host,
            ["port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["user"] = User,
            ["path"] = BasePath,
            ["hostKeyFingerprint"] = hostKey,
        };
        return (settings, secrets);
    }

    public override string ToString()
    {
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        var port = Port == 22 ? "" : ":" + Port.ToString(CultureInfo.InvariantCulture);
        return $"sftp://{Uri.EscapeDataString(User)}@{host}{port}/{BasePath}" + (HostKey is null ? "" : "?hostKey=" + HostKey);
    }

    private static (string Host, int Port) ParseHostAndPort(string text, string hostAndPort)
    {
        string host;
        var portText = "";
        if (hostAndPort.StartsWith('['))
        {
            var close = hostAndPort.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                throw new UsageException($"'{text}' has an unclosed '[' in its host.");
            host = hostAndPort[1..close];
            if (close + 1 < hostAndPort.Length)
            {
                if (hostAndPort[close + 1] != ':')
                    throw new UsageException($"'{text}' has something other than ':port' after its host.");
                portText = hostAndPort[(close + 2)..];
            }
        }
        else
        {
            var colon = hostAndPort.LastIndexOf(':');
            host = colon < 0 ? hostAndPort : hostAndPort[..colon];
            portText = colon < 0 ? "" : hostAndPort[(colon + 1)..];
        }
        if (host.Length == 0)
            throw new UsageException($"'{text}' names no host; use {Form}.");
        var port = 22;
        if (portText.Length > 0 && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            throw new UsageException($"'{portText}' in '{text}' is not a port number (1-65535).");
        return (host, port);
    }
}
