using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Storage.S3;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage.Wrappers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// Turns a configured <see cref="StorageDestination"/> or a storage location's settings into its
/// <see cref="IBackupStore"/>, and wraps stores with the retry, throttling and logging every caller gets
/// (<see cref="Wrap"/>). The one place stores are built, for the service and for backupctl alike, so that a rule about
/// stores (which addresses they may connect to: <see cref="NetworkPolicy"/>) lives in one place. One instance per
/// app (it holds the Blob service client and its connection pool).
/// </summary>
/// <remarks>
/// The destination's <see cref="StorageDestination.Prefix"/> is not applied here: callers put it in front of the
/// object names (<c>&lt;prefix&gt;/backups/&lt;backupId&gt;/…</c>), so a store is the whole container or folder.
/// The operator's own endpoints (the Blob account of <see cref="StorageOptions"/>) are not judged by the policy: only
/// hosts a location names (S3/GCS endpoints, SFTP and FTP hosts) are.
/// </remarks>
public sealed class BackupStoreFactory
{
    public const string AzureBlobType = "azureBlob";
    public const string LocalType = "local";

    private readonly StorageOptions _options;
    private readonly Lazy<BlobServiceClient> _blobService;

    private readonly TimeProvider _time;
    private readonly NetworkPolicy _network;
    private readonly ILogger _logger;

    /// <param name="network">Where stores may connect; null: <see cref="NetworkPolicy.InternalAllowed"/>.</param>
    /// <param name="loggers">For the logging wrapper; null logs nothing.</param>
    public BackupStoreFactory(IOptions<StorageOptions> options, TimeProvider? time = null, NetworkPolicy? network = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _network = network ?? NetworkPolicy.InternalAllowed;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("BackupFunctions.Storage");
        _blobService = new Lazy<BlobServiceClient>(CreateBlobService, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The store of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The destination is invalid; the message names the field.</exception>
    /// <exception cref="InvalidOperationException">The <c>Storage</c> settings the destination needs are missing.</exception>
    public IBackupStore Create(StorageDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.Type switch
        {
            AzureBlobType => CreateAzureBlob(destination),
            LocalType => CreateLocal(destination),
            _ => throw new ArgumentException(
                $"storage.type '{destination.Type}' is not supported; use '{AzureBlobType}' or '{LocalType}'.", nameof(destination)),
        };
    }

    /// <summary>The store of a catalog storage location, with its secrets revealed by <paramref name="secret"/>.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    /// <exception cref="InvalidOperationException">A secret or a <c>Storage</c> setting the location needs is missing.</exception>
    public IBackupStore Create(StorageLocation location, Func<string, string?> secret)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(secret);
        var settings = location.Settings;
        string? Setting(string name) => settings.TryGetValue(name, out var value) ? value : null;
        return location.Type switch
        {
            StorageTypes.Local => CreateLocal(Setting("path"), ParseMode(Setting("fileMode"), "fileMode", folder: false) ?? LocalFolderStore.DefaultFileMode,
                ParseMode(Setting("folderMode"), "folderMode", folder: true) ?? LocalFolderStore.DefaultFolderMode, location.MaxSizeBytes),
            StorageTypes.AzureBlob => CreateAzureBlob(Setting("container"), Setting("accessTier") is { } tier ? new AccessTier(tier) : (AccessTier?)null, location.Immutability),
            StorageTypes.S3 => new S3Store(new S3StoreSettings
            {
                Bucket = Setting("bucket")!,
                AccessKeyId = Setting("accessKeyId")!,
                SecretAccessKey = Required(secret, "secretAccessKey", location),
                Region = Setting("region") ?? "us-east-1",
                Endpoint = Setting("endpoint") ?? "",
                ForcePathStyle = Setting("pathStyle") == "true",
                StorageClass = Setting("storageClass") ?? "",
                ObjectLockMode = location.Immutability is not { Enabled: true } ? S3ObjectLockMode.Off
                    : location.Immutability.Mode == "compliance" ? S3ObjectLockMode.Compliance : S3ObjectLockMode.Governance,
            }, LockUntil(location.Immutability), _time, _network),
            StorageTypes.Gcs => S3Store.ForGcs(new GcsStoreSettings
            {
                Bucket = Setting("bucket")!,
                HmacAccessId = Setting("accessId")!,
                HmacSecret = Required(secret, "hmacSecret", location),
                StorageClass = Setting("storageClass") ?? "",
                Endpoint = Setting("endpoint") ?? "",
            }, _time, _network),
            StorageTypes.Sftp => new SftpStore(new SftpStoreSettings
            {
                Host = Setting("host")!,
                Port = Port(Setting("port"), 22),
                UserName = Setting("user")!,
                BasePath = Setting("path") ?? "",
                Password = secret("password"),
                PrivateKey = secret("privateKey"),
                PrivateKeyPassphrase = secret("privateKeyPassphrase"),
                HostKeyFingerprint = Setting("hostKeyFingerprint")!,
            }, _network),
            StorageTypes.Ftp => new FtpStore(new FtpStoreSettings(
                Setting("host")!, Port(Setting("port"), 21), Setting("user")!, Required(secret, "password", location), Setting("path") ?? "")
            {
                TlsMode = Setting("tls") == "explicit" ? FtpTlsMode.Explicit : FtpTlsMode.None,
                CertificateSha256 = Setting("certificateFingerprint"),
            }, _time, _network),
            _ => throw new ArgumentException($"storage type '{location.Type}' is not supported.", nameof(location)),
        };
    }

    /// <summary>
    /// <paramref name="store"/> with the wrappers every caller gets: retries of transient failures
    /// (<see cref="StorageOptions.Retries"/>), a bound on calls in flight (a file or FTP server takes a few connections at
    /// a time, object stores many), and a log line per call.
    /// </summary>
    /// <param name="type">The store's type (<see cref="StorageTypes"/>, or <see cref="AzureBlobType"/> / <see cref="LocalType"/>).</param>
    public IBackupStore Wrap(IBackupStore store, string type)
    {
        ArgumentNullException.ThrowIfNull(store);
        var concurrency = type is StorageTypes.Sftp or StorageTypes.Ftp ? 2 : 8;
        // Retries pace real network calls: on the system clock even where a test fakes the app's clock.
        var retries = new RetryingBackupStore(store, _options.Retries, TimeSpan.FromSeconds(_options.RetryDelaySeconds));
        return new LoggingBackupStore(new ThrottlingBackupStore(retries, concurrency), _logger);
    }

    private static int Port(string? text, int standard) => text is null ? standard : int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static string Required(Func<string, string?> secret, string name, StorageLocation location) =>
        secret(name) ?? throw new InvalidOperationException($"Storage location {location.Id} ({location.Name}) has no secret '{name}'.");

    // Checked again here for rows written before the rule: a backup must never land readable by other users.
    private static UnixFileMode? ParseMode(string? octal, string setting, bool folder)
    {
        if (octal is null)
            return null;
        var mode = (UnixFileMode)Convert.ToInt32(octal, 8);
        return LocalFileModes.Problem(mode, folder) is { } problem
            ? throw new ArgumentException($"settings.{setting} {octal} {problem}.", setting)
            : mode;
    }

    private AzureBlobStore CreateAzureBlob(StorageDestination destination) => CreateAzureBlob(destination.Container, accessTier: null, immutability: null);

    /// <summary>
    /// Every object of a locked destination stays locked for the configured days from the moment it is written
    /// (the same period for all objects of a backup: they are written within minutes of each other).
    /// </summary>
    private Func<string, DateTimeOffset?>? LockUntil(ImmutabilityOptions? immutability) =>
        immutability is { Enabled: true, Days: > 0 } options ? _ => _time.GetUtcNow().AddDays(options.Days) : null;

    private AzureBlobStore CreateAzureBlob(string? container, AccessTier? accessTier, ImmutabilityOptions? immutability)
    {
        if (string.IsNullOrEmpty(container))
            throw new ArgumentException("storage.container is required for an azureBlob destination.", nameof(container));
        if (!AzureContainerNames.IsValid(container))
        {
            throw new ArgumentException(
                $"storage.container '{container}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).",
                nameof(container));
        }
        return new AzureBlobStore(_blobService.Value.GetBlobContainerClient(container), accessTier,
            LockUntil(immutability), lockCompliance: immutability?.Mode == "compliance");
    }

    private LocalFolderStore CreateLocal(StorageDestination destination) =>
        CreateLocal(destination.Path, LocalFolderStore.DefaultFileMode, LocalFolderStore.DefaultFolderMode, destination.MaxSizeBytes);

    private LocalFolderStore CreateLocal(string? path, UnixFileMode fileMode, UnixFileMode folderMode, long? maxSizeBytes)
    {
        if (string.IsNullOrWhiteSpace(_options.LocalRoot))
            throw new InvalidOperationException($"{StorageOptions.SectionName}:{nameof(StorageOptions.LocalRoot)} must be set for local destinations.");
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("storage.path is required for a local destination.", nameof(path));
        // The rule the API applied when the destination was posted; checked again for rows written before it.
        if (ObjectNameRules.LocalPathProblem(path) is { } problem)
            throw new ArgumentException($"storage.path '{ObjectNameRules.Printable(path)}' {problem}.", nameof(path));

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.LocalRoot));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(root, path)));
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        // A root that is a drive or "/" keeps its separator (backupctl's local root is "/").
        if (!full.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, comparison) || full.Length <= root.Length)
            throw new ArgumentException($"storage.path '{path}' leaves the local root.", nameof(path));
        return new LocalFolderStore(full, fileMode, folderMode, maxSizeBytes);
    }

    private BlobServiceClient CreateBlobService()
    {
        var clientOptions = new BlobClientOptions();
        if (!string.IsNullOrWhiteSpace(_options.BlobConnection))
            return new BlobServiceClient(_options.BlobConnection, clientOptions);
        if (Uri.TryCreate(_options.BlobServiceUri, UriKind.Absolute, out var serviceUri))
            return new BlobServiceClient(serviceUri, new DefaultAzureCredential(), clientOptions);
        throw new InvalidOperationException(
            $"{StorageOptions.SectionName}:{nameof(StorageOptions.BlobConnection)} or {StorageOptions.SectionName}:{nameof(StorageOptions.BlobServiceUri)} must be set for azureBlob destinations.");
    }

}
