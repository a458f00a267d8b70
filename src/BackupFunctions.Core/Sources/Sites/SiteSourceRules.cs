using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// The shape of a <see cref="SiteSourceSettings"/> as an API caller sends it (<c>files.source</c>,
/// <c>files.components[i].source</c>): a known type, the settings that type needs and none it does not use, names and
/// paths of a safe shape, secrets only by app-setting name. Pure: which hosts and local folders the app's settings allow
/// is checked by <see cref="Configs.BackupConfigChecks"/> at post time and by <see cref="SiteSources"/> at read time.
/// </summary>
public static class SiteSourceRules
{
    /// <summary>The longest prefix or remote root accepted.</summary>
    public const int MaxPathLength = 1000;

    /// <summary>Adds each problem of <paramref name="source"/> under <paramref name="path"/> (e.g. <c>files.source</c>) + its field.</summary>
    public static void Validate(SiteSourceSettings source, string path, Action<string, string> add)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(add);
        if (!SiteSourceTypes.All.Contains(source.Type, StringComparer.Ordinal))
        {
            add($"{path}.type", $"The type must be one of {string.Join(", ", SiteSourceTypes.All.Select(t => $"'{t}'"))}.");
            return;
        }

        // Settings another type uses are refused rather than ignored: a caller who wrote them meant something.
        void Unused(string field, object? value)
        {
            if (value is not null)
                add($"{path}.{field}", $"A '{source.Type}' source has no {field}.");
        }

        switch (source.Type)
        {
            case SiteSourceTypes.Local:
                if (string.IsNullOrWhiteSpace(source.Root) || !Path.IsPathFullyQualified(source.Root) || source.Root.Any(char.IsControl))
                    add($"{path}.root", "A local source needs root: the absolute folder holding the components.");
                Unused("accountUrl", source.AccountUrl);
                Unused("connectionSetting", source.ConnectionSetting);
                Unused("container", source.Container);
                Unused("share", source.Share);
                Unused("prefix", source.Prefix);
                UnusedSftp();
                break;
            case SiteSourceTypes.AzureBlob:
            case SiteSourceTypes.AzureFiles:
                var blob = source.Type == SiteSourceTypes.AzureBlob;
                CheckAccount(source, path, add);
                if (blob)
                {
                    if (!AzureContainerNames.IsValid(source.Container))
                        add($"{path}.container", "The container must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
                    Unused("share", source.Share);
                }
                else
                {
                    if (!AzureContainerNames.IsValid(source.Share))
                        add($"{path}.share", "The share must be 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.");
                    Unused("container", source.Container);
                }
                if (source.Prefix is { } prefix && RelativePathProblem(prefix) is { } prefixProblem)
                    add($"{path}.prefix", prefixProblem);
                Unused("root", source.Root);
                UnusedSftp();
                break;
            case SiteSourceTypes.Sftp:
                if (string.IsNullOrWhiteSpace(source.Host) || Uri.CheckHostName(source.Host) is UriHostNameType.Unknown or UriHostNameType.Basic)
                    add($"{path}.host", "An sftp source needs host: a host name or an IP address (IPv6 without brackets).");
                if (source.Port is < 1 or > 65535)
                    add($"{path}.port", "The port must be between 1 and 65535 (22 when absent).");
                if (string.IsNullOrWhiteSpace(source.User) || source.User.Length > 256 || source.User.Any(char.IsControl))
                    add($"{path}.user", "An sftp source needs user: the name to log in as (at most 256 characters, no control characters).");
                if (string.IsNullOrWhiteSpace(source.HostKeyFingerprint))
                    add($"{path}.hostKeyFingerprint", "An sftp source needs hostKeyFingerprint, the server's host key as ssh-keygen -lf prints it (SHA256:…): without it any server could pose as the CMS host.");
                else if (FingerprintProblem(source.HostKeyFingerprint) is { } fingerprint)
                    add($"{path}.hostKeyFingerprint", fingerprint);
                if (source.Root is not { } root || !root.StartsWith('/') || AbsolutePathProblem(root) is not null)
                    add($"{path}.root", "An sftp source needs root: the absolute folder on the host holding the components (e.g. /var/www/site), without '..' or control characters.");
                if (source.PasswordSetting is null && source.PrivateKeySetting is null)
                    add($"{path}.passwordSetting", "An sftp source needs passwordSetting or privateKeySetting: the app setting holding the password or private key.");
                CheckSetting(source.PasswordSetting, $"{path}.passwordSetting", "password", add);
                CheckSetting(source.PrivateKeySetting, $"{path}.privateKeySetting", "private key", add);
                Unused("accountUrl", source.AccountUrl);
                Unused("connectionSetting", source.ConnectionSetting);
                Unused("container", source.Container);
                Unused("share", source.Share);
                Unused("prefix", source.Prefix);
                break;
        }

        void UnusedSftp()
        {
            Unused("host", source.Host);
            Unused("port", source.Port);
            Unused("user", source.User);
            Unused("hostKeyFingerprint", source.HostKeyFingerprint);
            Unused("passwordSetting", source.PasswordSetting);
            Unused("privateKeySetting", source.PrivateKeySetting);
        }
    }

    /// <summary>The host a remote source connects to (the SFTP host, the account URL's host); null for local and connection strings.</summary>
    public static string? HostOf(SiteSourceSettings source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Type switch
        {
            SiteSourceTypes.Sftp => source.Host,
            SiteSourceTypes.AzureBlob or SiteSourceTypes.AzureFiles when Uri.TryCreate(source.AccountUrl, UriKind.Absolute, out var url) => url.IdnHost,
            _ => null,
        };
    }

    /// <summary>
    /// Null when <paramref name="path"/> is a '/'-separated relative path (a blob prefix, a share folder) with no empty,
    /// <c>.</c> or <c>..</c> segment, no backslash and no control character; else why not.
    /// </summary>
    public static string? RelativePathProblem(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0)
            return null;
        if (path.StartsWith('/') || path.Length > MaxPathLength || path.Contains('\\') || path.Any(char.IsControl)
            || trimmed.Split('/').Any(s => s is "" or "." or ".."))
            return $"The prefix must be a relative '/'-separated folder path of at most {MaxPathLength} characters, without empty, '.' or '..' segments, '\\' or control characters (e.g. site/wp-content).";
        return null;
    }

    private static string? AbsolutePathProblem(string path)
    {
        if (path.Length > MaxPathLength || path.Contains('\\') || path.Any(char.IsControl))
            return "bad";
        return path.Split('/').Any(s => s is "." or "..") ? "bad" : null;
    }

    private static string? FingerprintProblem(string fingerprint)
    {
        try
        {
            _ = Storage.Sftp.HostKeyFingerprint.Parse(fingerprint, "hostKeyFingerprint");
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static void CheckAccount(SiteSourceSettings source, string path, Action<string, string> add)
    {
        if (source.AccountUrl is null == source.ConnectionSetting is null)
        {
            add($"{path}.accountUrl", "Give accountUrl (read with the app's identity) or connectionSetting (the app setting holding a connection string), one of them.");
            return;
        }
        if (source.AccountUrl is { } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || uri.UserInfo.Length > 0
                || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/"))
            add($"{path}.accountUrl", "The accountUrl must be the account's https endpoint without path, query or credentials (e.g. https://myaccount.blob.core.windows.net).");
        CheckSetting(source.ConnectionSetting, $"{path}.connectionSetting", "connection string", add);
    }

    private static void CheckSetting(string? setting, string field, string what, Action<string, string> add)
    {
        if (setting is not null && SecretReferences.Problem(setting) is { } problem)
            add(field, $"The {what} setting must be the name of an app setting, never the {what} itself. " + problem);
    }
}
