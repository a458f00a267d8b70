using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage.Sftp;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// Turns a config's <c>files.source</c> (<see cref="SiteSourceSettings"/>) into what an in-place restore writes through:
/// null for a local folder (<see cref="InPlaceFileRestore"/> keeps it), an <see cref="ISiteTarget"/> otherwise. Secrets
/// are read here, by app-setting name, at the moment a restore step needs them; they are never kept in the settings.
/// </summary>
public static class SiteTargets
{
    /// <summary>Whether a restore into this source goes through <see cref="Open"/> (anything but a local folder).</summary>
    public static bool IsRemote(SiteSourceSettings? source) =>
        source is not null && !string.Equals(source.Type, SiteSourceTypes.Local, StringComparison.Ordinal);

    /// <summary>
    /// The target of a non-local source; the caller disposes it (<see cref="IDisposable"/> where it holds connections).
    /// </summary>
    /// <param name="appSetting">Reads an app setting by name (connection strings, passwords, private keys).</param>
    /// <param name="network">Confines the SFTP host as the SFTP destination is confined (<c>Network__AllowedRanges</c>).</param>
    /// <exception cref="ArgumentException">The settings are incomplete or a named setting is empty; the message names the field.</exception>
    /// <param name="credential">The app's identity for <c>accountUrl</c> sources (<see cref="SiteSources"/> gives the one it reads with); null: <see cref="DefaultAzureCredential"/>.</param>
    /// <param name="transport">
    /// How Blob and Files requests go out: <see cref="SiteSources"/> gives its client confined by <paramref name="network"/>
    /// at connect time, as reading does; null: the SDK's own (tests with a connection string).
    /// </param>
    /// <exception cref="NotSupportedException">A type this factory does not open (<c>local</c>: the local restore writes it).</exception>
    public static ISiteTarget Open(
        SiteSourceSettings source, Func<string, string?> appSetting, NetworkPolicy network, TokenCredential? credential = null, HttpPipelineTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(appSetting);
        ArgumentNullException.ThrowIfNull(network);
        switch (source.Type)
        {
            case SiteSourceTypes.AzureBlob:
            {
                if (string.IsNullOrWhiteSpace(source.Container))
                    throw new ArgumentException("files.source.container is required for an azureBlob source.", nameof(source));
                BlobServiceClient service;
                // A confined transport's refusals are final, not retried.
                var options = transport is null ? new BlobClientOptions() : ConfinedRetryPolicy.Apply(new BlobClientOptions { Transport = transport });
                if (!string.IsNullOrWhiteSpace(source.ConnectionSetting))
                    service = new BlobServiceClient(Secret(appSetting, source.ConnectionSetting, "files.source.connectionSetting"), options);
                else if (Uri.TryCreate(source.AccountUrl, UriKind.Absolute, out var account) && account.Scheme == Uri.UriSchemeHttps)
                    service = new BlobServiceClient(account, credential ?? new DefaultAzureCredential(), options);
                else
                    throw new ArgumentException("files.source: an azureBlob source needs accountUrl (https) or connectionSetting.", nameof(source));
                return new AzureBlobSiteTarget(service.GetBlobContainerClient(source.Container), source.Prefix);
            }

            case SiteSourceTypes.Sftp:
            {
                if (string.IsNullOrWhiteSpace(source.Host) || string.IsNullOrWhiteSpace(source.User) || string.IsNullOrWhiteSpace(source.HostKeyFingerprint))
                    throw new ArgumentException("files.source: an sftp source needs host, user and hostKeyFingerprint.", nameof(source));
                if (string.IsNullOrWhiteSpace(source.Root) || !source.Root.StartsWith('/'))
                    throw new ArgumentException("files.source.root must be an absolute folder on the SFTP host.", nameof(source));
                if (string.IsNullOrWhiteSpace(source.PasswordSetting) && string.IsNullOrWhiteSpace(source.PrivateKeySetting))
                    throw new ArgumentException("files.source: an sftp source needs passwordSetting or privateKeySetting.", nameof(source));
                var settings = new SftpStoreSettings
                {
                    Host = source.Host,
                    Port = source.Port ?? 22,
                    UserName = source.User,
                    HostKeyFingerprint = source.HostKeyFingerprint,
                    BasePath = source.Root,
                    Password = string.IsNullOrWhiteSpace(source.PasswordSetting) ? null : Secret(appSetting, source.PasswordSetting, "files.source.passwordSetting"),
                    PrivateKey = string.IsNullOrWhiteSpace(source.PrivateKeySetting) ? null : Secret(appSetting, source.PrivateKeySetting, "files.source.privateKeySetting"),
                };
                return new SftpSiteTarget(settings, network);
            }

            case SiteSourceTypes.AzureFiles:
                return AzureFilesSiteTarget.Create(source, credential ?? new DefaultAzureCredential(), appSetting, transport);

            default:
                throw new NotSupportedException($"files.source.type '{source.Type}': no in-place restore target here.");
        }
    }

    private static string Secret(Func<string, string?> appSetting, string name, string field) =>
        appSetting(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{field}: the app setting '{name}' is not set.", field);
}
