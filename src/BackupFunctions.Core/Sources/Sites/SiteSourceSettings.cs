namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// Where a config's site files live (<c>files.source</c>, or one component's own <c>source</c>): the folder that holds
/// the components, in one of <see cref="SiteSourceTypes"/>. Archive paths stay <c>&lt;component&gt;/&lt;path&gt;</c>
/// whatever the source, so the stored format does not depend on where the files were read. Holds no secret: secrets
/// are named by app setting (<see cref="ConnectionSetting"/>, <see cref="PasswordSetting"/>,
/// <see cref="PrivateKeySetting"/>), so this may travel through orchestration history.
/// </summary>
public sealed record SiteSourceSettings
{
    /// <summary>One of <see cref="SiteSourceTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary><c>local</c>, <c>sftp</c>: the absolute folder holding the components.</summary>
    public string? Root { get; init; }

    /// <summary>
    /// <c>azureBlob</c>, <c>azureFiles</c>: the account's endpoint (<c>https://&lt;account&gt;.blob.core.windows.net</c>,
    /// <c>https://&lt;account&gt;.file.core.windows.net</c>), read with the app's identity. Either this or
    /// <see cref="ConnectionSetting"/>.
    /// </summary>
    public string? AccountUrl { get; init; }

    /// <summary><c>azureBlob</c>, <c>azureFiles</c>: the name of an app setting holding a connection string instead.</summary>
    public string? ConnectionSetting { get; init; }

    /// <summary><c>azureBlob</c>: the container.</summary>
    public string? Container { get; init; }

    /// <summary><c>azureFiles</c>: the share.</summary>
    public string? Share { get; init; }

    /// <summary><c>azureBlob</c>: the blob name prefix holding the components; <c>azureFiles</c>: the folder. Optional.</summary>
    public string? Prefix { get; init; }

    /// <summary><c>sftp</c>: the CMS host (a name or address; confined by <c>Network__AllowedRanges</c> like a destination).</summary>
    public string? Host { get; init; }

    /// <summary><c>sftp</c>: the port (22 when absent).</summary>
    public int? Port { get; init; }

    /// <summary><c>sftp</c>: the user to log in as.</summary>
    public string? User { get; init; }

    /// <summary><c>sftp</c>: the pinned host key (<c>SHA256:…</c>, as the SFTP destination takes it). Required.</summary>
    public string? HostKeyFingerprint { get; init; }

    /// <summary><c>sftp</c>: the name of an app setting holding the password.</summary>
    public string? PasswordSetting { get; init; }

    /// <summary><c>sftp</c>: the name of an app setting holding a private key (OpenSSH format).</summary>
    public string? PrivateKeySetting { get; init; }
}
