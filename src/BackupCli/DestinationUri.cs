using System.Text.RegularExpressions;
using System.Web;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Storage.S3;
using Microsoft.Extensions.Options;

namespace BackupCli;

/// <summary>
/// A destination on the command line: <c>file:///abs/path</c> (a local or mounted folder; the path is the store's
/// root), <c>azblob://container[/prefix]</c> (Azure Blob Storage), <c>s3://bucket[/prefix][?endpoint=…&amp;region=…&amp;pathStyle=…&amp;storageClass=…]</c>
/// (S3 and S3-compatible), <c>gs://bucket[/prefix][?storageClass=…]</c> (Google Cloud Storage, XML API with an HMAC
/// key), <c>sftp://user@host[:port]/path?hostKey=…</c>, or <c>ftp://user@host[:port]/path</c> /
/// <c>ftps://user@host[:port]/path[?certSha256=…]</c> (the path is the store's base folder). Credentials only from
/// the environment.
/// </summary>
/// <param name="Scheme"><c>file</c>, <c>azblob</c>, <c>s3</c>, <c>gs</c>, <c>sftp</c>, <c>ftp</c> or <c>ftps</c>.</param>
/// <param name="Location">The folder (file), the container (azblob), the bucket (s3, gs), or the URI without password and query (sftp, ftp, ftps).</param>
/// <param name="Prefix">What comes before <c>backups/</c> in object names; empty for file://.</param>
internal sealed partial record DestinationUri(string Scheme, string Location, string Prefix)
{
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";
    public const string AccountVariable = "AZURE_STORAGE_ACCOUNT";
    public const string S3AccessKeyVariable = "BACKUPCTL_S3_ACCESS_KEY_ID";
    public const string S3SecretVariable = "BACKUPCTL_S3_SECRET_ACCESS_KEY";
    public const string AwsAccessKeyVariable = "AWS_ACCESS_KEY_ID";
    public const string AwsSecretVariable = "AWS_SECRET_ACCESS_KEY";
    public const string GcsAccessIdVariable = "BACKUPCTL_GCS_HMAC_ACCESS_ID";
    public const string GcsSecretVariable = "BACKUPCTL_GCS_HMAC_SECRET";

    public const string FtpPasswordVariable = "BACKUPCTL_FTP_PASSWORD";
    public const string FtpPasswordFileVariable = "BACKUPCTL_FTP_PASSWORD_FILE";

    /// <summary>For ftp:// and ftps://: the connection, with an empty password (<see cref="CreateStore"/> takes it from the environment).</summary>
    public FtpStoreSettings? Ftp { get; init; }

    /// <summary>The query options of an s3:// or gs:// destination; null for the others.</summary>
    public S3UriOptions? S3 { get; init; }

    /// <summary>Parses a destination; anything else throws <see cref="UsageException"/> saying what is accepted.</summary>
    public static DestinationUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
            throw new UsageException($"'{text}' is not a destination URI; use file:///absolute/path, azblob://container[/prefix], s3://bucket[/prefix], gs://bucket[/prefix], sftp://user@host/path, ftp://user@host/path or ftps://user@host/path.");

        var scheme = text[..separator].ToLowerInvariant();
        return scheme switch
        {
            "file" => ParseFile(text),
            "azblob" => ParseBlob(text, text[(separator + 3)..]),
            "ftp" or "ftps" => ParseFtp(text, scheme),
            "sftp" => FromSftp(SftpDestination.Parse(text)),
            "s3" or "gs" => ParseBucket(text, scheme),
            _ => throw new UsageException($"unknown destination scheme '{scheme}://' in '{text}'; use file:///absolute/path, azblob://container[/prefix], s3://bucket[/prefix], gs://bucket[/prefix], sftp://user@host/path, ftp://user@host/path or ftps://user@host/path."),
        };
    }

    /// <summary>
    /// The store, built as the service builds a storage location's: the URI becomes the settings and secrets
    /// <see cref="BackupStoreFactory"/> takes, and the store gets the same wrappers (retries, throttling, logging)
    /// and network policy (<see cref="CliContext.Network"/>). Credentials come from the environment, never from the
    /// command line.
    /// </summary>
    /// <param name="mustExist">For reading: a file:// folder that is not there is an error, not an empty destination (a typo must not look like "no backups").</param>
    public IBackupStore CreateStore(CliContext context, bool mustExist = false)
    {
        if (Scheme == "file" && mustExist && !Directory.Exists(Location))
            throw new DirectoryNotFoundException($"the destination folder {Location} does not exist.");
        var (type, settings, secrets, storage) = ToLocation(context);
        var factory = new BackupStoreFactory(Options.Create(storage), context.Time, context.Network, context.Loggers);
        var location = new StorageLocation { Id = "backupctl", Name = ToString(), Type = type, Settings = settings };
        try
        {
            return factory.Wrap(factory.Create(location, name => secrets.TryGetValue(name, out var secret) ? secret : null), type);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{this}: {ex.Message}", ex);
        }
        catch (FormatException ex)
        {
            throw new UsageException($"{ConnectionStringVariable} is not a valid storage connection string: {ex.Message}", ex);
        }
    }

    /// <summary>The storage location type, its settings and secrets, and the <c>Storage</c> settings (Blob account, local root) this destination is.</summary>
    private (string Type, Dictionary<string, string> Settings, Dictionary<string, string> Secrets, StorageOptions Storage) ToLocation(CliContext context)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Scheme)
        {
            case "file":
            {
                // The operator's own machine: the local root is the file system's root, the folder a path below it.
                var root = Path.GetPathRoot(Location)!;
                settings["path"] = Path.GetRelativePath(root, Location);
                return (StorageTypes.Local, settings, secrets, new StorageOptions { LocalRoot = root });
            }
            case "ftp" or "ftps":
            {
                var ftp = Ftp!;
                settings["host"] = ftp.Host;
                settings["port"] = ftp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                settings["user"] = ftp.User;
                settings["path"] = ftp.BasePath;
                settings["tls"] = ftp.TlsMode == FtpTlsMode.Explicit ? "explicit" : "none";
                if (ftp.CertificateSha256 is { } certificate)
                    settings["certificateFingerprint"] = certificate;
                secrets["password"] = FtpPassword(context);
                return (StorageTypes.Ftp, settings, secrets, new StorageOptions());
            }
            case "sftp":
            {
                var (sftpSettings, sftpSecrets) = Sftp!.ToLocation(context);
                return (StorageTypes.Sftp, sftpSettings, sftpSecrets, new StorageOptions());
            }
            case "s3":
            {
                var options = S3!;
                var (keyId, key) = Credentials(context, "s3://", (S3AccessKeyVariable, S3SecretVariable), (AwsAccessKeyVariable, AwsSecretVariable));
                settings["bucket"] = Location;
                settings["accessKeyId"] = keyId;
                settings["region"] = options.Region;
                settings["pathStyle"] = options.PathStyle ? "true" : "false";
                AddIfSet(settings, "endpoint", options.Endpoint);
                AddIfSet(settings, "storageClass", options.StorageClass);
                secrets["secretAccessKey"] = key;
                return (StorageTypes.S3, settings, secrets, new StorageOptions());
            }
            case "gs":
            {
                var options = S3!;
                var (id, secret) = Credentials(context, "gs://", (GcsAccessIdVariable, GcsSecretVariable));
                settings["bucket"] = Location;
                settings["accessId"] = id;
                AddIfSet(settings, "endpoint", options.Endpoint);
                AddIfSet(settings, "storageClass", options.StorageClass);
                secrets["hmacSecret"] = secret;
                return (StorageTypes.Gcs, settings, secrets, new StorageOptions());
            }
            default:
            {
                settings["container"] = Location;
                if (context.GetEnvironmentVariable(ConnectionStringVariable) is { } connectionString)
                    return (StorageTypes.AzureBlob, settings, secrets, new StorageOptions { BlobConnection = connectionString });
                if (context.GetEnvironmentVariable(AccountVariable) is { } account)
                    return (StorageTypes.AzureBlob, settings, secrets, new StorageOptions { BlobServiceUri = $"https://{account}.blob.core.windows.net" });
                throw new UsageException(
                    $"azblob:// needs credentials in the environment: set {ConnectionStringVariable}, or {AccountVariable} (signed in through DefaultAzureCredential).");
            }
        }
    }

    private static void AddIfSet(Dictionary<string, string> settings, string name, string value)
    {
        if (value.Length > 0)
            settings[name] = value;
    }

    public override string ToString() => Sftp is not null ? Sftp.ToString() : Scheme switch
    {
        "file" => new Uri(Location).AbsoluteUri,
        "ftp" or "ftps" => Location,
        _ => (Prefix.Length == 0 ? $"{Scheme}://{Location}" : $"{Scheme}://{Location}/{Prefix}") + QueryText(),
    };

    private static string FtpPassword(CliContext context)
    {
        if (context.GetEnvironmentVariable(FtpPasswordVariable) is { Length: > 0 } password)
            return password;
        if (context.GetEnvironmentVariable(FtpPasswordFileVariable) is { Length: > 0 } file)
        {
            try
            {
                return File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{FtpPasswordFileVariable} names '{file}', which cannot be read: {ex.Message}", ex);
            }
        }
        throw new UsageException($"ftp:// and ftps:// need the password in the environment: set {FtpPasswordVariable}, or {FtpPasswordFileVariable} to a file holding it.");
    }

    private static DestinationUri ParseFtp(string text, string scheme)
    {
        const string usage = "use ftp://user@host[:port]/path or ftps://user@host[:port]/path[?certSha256=<hex>]";
        // Split by hand: System.Uri has no query for ftp:// (a '?' is part of the path) and drops "." and ".." segments.
        var queryStart = text.IndexOf('?', StringComparison.Ordinal);
        var query = queryStart < 0 ? "" : text[(queryStart + 1)..];
        var address = queryStart < 0 ? text : text[..queryStart];
        if (address[(scheme.Length + 3)..].Split('/').Skip(1).Any(segment => Uri.UnescapeDataString(segment) is "." or ".."))
            throw new UsageException($"the path in '{text}' must be '/'-separated names without '.' or '..' segments.");
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw new UsageException($"'{text}' is not a valid {scheme}:// URI; {usage}.");
        if (uri.UserInfo.Contains(':', StringComparison.Ordinal))
            throw new UsageException($"'{scheme}://' URIs must not carry a password; give it in {FtpPasswordVariable} (or a file named by {FtpPasswordFileVariable}).");
        var user = Uri.UnescapeDataString(uri.UserInfo);
        if (user.Length == 0)
            throw new UsageException($"'{text}' names no user; {usage}.");
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        if (path.Any(c => c == '\\' || char.IsControl(c)))
            throw new UsageException($"the path '{path}' in '{text}' must not hold backslashes or control characters.");

        string? certificate = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            if (key != "certSha256" || scheme != "ftps")
                throw new UsageException($"unknown option '{key}' in '{text}'; {scheme}:// accepts {(scheme == "ftps" ? "only certSha256" : "none (certSha256 is for ftps://)")}.");
            certificate = Uri.UnescapeDataString(pair[(equals + 1)..]);
        }
        var port = uri.IsDefaultPort || uri.Port < 0 ? 21 : uri.Port;
        var settings = new FtpStoreSettings(uri.IdnHost, port, user, "", path.Length == 0 ? "/" : path)
        {
            TlsMode = scheme == "ftps" ? FtpTlsMode.Explicit : FtpTlsMode.None,
            CertificateSha256 = certificate,
        };
        if (certificate is not null && !Sha256Hex().IsMatch(certificate.Replace(":", "", StringComparison.Ordinal)))
            throw new UsageException($"certSha256 in '{text}' must be the certificate's SHA-256: 64 hex digits (colons allowed).");
        var location = $"{scheme}://{user}@{uri.Host}:{port}{(path.Length <= 1 ? "" : path.TrimEnd('/'))}";
        return new DestinationUri(scheme, location, "") { Ftp = settings };
    }

    /// <summary>Host, user, folder and host key of an sftp:// destination; null for the other schemes.</summary>
    public SftpDestination? Sftp { get; init; }


    // The URI's folder is the store's base folder, so object names carry no prefix (as with file://).
    private static DestinationUri FromSftp(SftpDestination sftp) =>
        new("sftp", $"{sftp.User}@{sftp.Host}:{sftp.Port}/{sftp.BasePath}", "") { Sftp = sftp };


    private string QueryText()
    {
        if (S3 is null)
            return "";
        var options = new List<string>();
        if (S3.Endpoint.Length > 0)
            options.Add("endpoint=" + Uri.EscapeDataString(S3.Endpoint));
        if (Scheme == "s3")
            options.Add($"region={S3.Region}&pathStyle={(S3.PathStyle ? "true" : "false")}");
        if (S3.StorageClass.Length > 0)
            options.Add("storageClass=" + S3.StorageClass);
        return options.Count == 0 ? "" : "?" + string.Join('&', options);
    }

    // The first pair that is set wins; a pair set by half is an error rather than a silent fall-through.
    private static (string Id, string Secret) Credentials(CliContext context, string scheme, params (string Id, string Secret)[] pairs)
    {
        foreach (var (idVariable, secretVariable) in pairs)
        {
            var id = context.GetEnvironmentVariable(idVariable);
            var secret = context.GetEnvironmentVariable(secretVariable);
            if (id is null && secret is null)
                continue;
            if (id is null || secret is null)
                throw new UsageException($"{scheme} needs both {idVariable} and {secretVariable} in the environment.");
            return (id, secret);
        }
        var names = string.Join(", or ", pairs.Select(p => $"{p.Id} and {p.Secret}"));
        throw new UsageException($"{scheme} needs credentials in the environment: set {names}.");
    }

    private static DestinationUri ParseBucket(string text, string scheme)
    {
        var isS3 = scheme == "s3";
        var example = isS3
            ? "s3://bucket[/prefix][?endpoint=https://host:port&region=…&pathStyle=true|false&storageClass=…]"
            : "gs://bucket[/prefix][?storageClass=…]";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw new UsageException($"'{text}' is not a valid {scheme}:// URI; use {example}.");
        if (uri.UserInfo.Length > 0)
        {
            var variables = isS3 ? $"{S3AccessKeyVariable}/{S3SecretVariable}" : $"{GcsAccessIdVariable}/{GcsSecretVariable}";
            throw new UsageException($"credentials do not belong in a {scheme}:// URI (they would end up in shell history and logs); set {variables} in the environment.");
        }
        // From the text, not from the Uri: it would lowercase the bucket and resolve "a/../b" in the prefix.
        var bucketAndPath = text[(scheme.Length + 3)..].Split('?', '#')[0];
        var slash = bucketAndPath.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? bucketAndPath : bucketAndPath[..slash];
        if (!uri.IsDefaultPort || !(isS3 ? S3BucketName() : GcsBucketName()).IsMatch(bucket))
            throw new UsageException($"'{bucket}' in '{text}' is not a valid bucket name (lowercase letters, digits, '.' and '-'{(isS3 ? "" : ", '_'")}; use {example}).");

        var prefix = slash < 0 ? "" : Uri.UnescapeDataString(bucketAndPath[(slash + 1)..]).Trim('/');
        if (prefix.Split('/').Any(segment => segment is "." or ".." || (segment.Length == 0 && prefix.Length > 0)) || prefix.Any(c => c == '\\' || char.IsControl(c)))
            throw new UsageException($"the prefix '{prefix}' in '{text}' must be '/'-separated names without empty, '.' or '..' segments.");

        var query = HttpUtility.ParseQueryString(uri.Query);
        string[] known = isS3 ? ["endpoint", "region", "pathStyle", "storageClass"] : ["endpoint", "storageClass"];
        foreach (var key in query.AllKeys)
        {
            if (key is null || !known.Contains(key, StringComparer.Ordinal))
                throw new UsageException($"unknown option '{key}' in '{text}'; {scheme}:// knows {string.Join(", ", known)}.");
        }
        var endpoint = query["endpoint"] ?? "";
        if (endpoint.Length > 0 && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var endpointUri) && endpointUri.Scheme is "http" or "https"))
            throw new UsageException($"endpoint '{endpoint}' in '{text}' is not an http(s) URL.");
        var pathStyle = query["pathStyle"] switch
        {
            null => endpoint.Length > 0,
            "true" => true,
            "false" => false,
            var other => throw new UsageException($"pathStyle '{other}' in '{text}' must be true or false."),
        };
        var region = query["region"] is { Length: > 0 } r ? r : "us-east-1";
        var storageClass = (query["storageClass"] ?? "").ToUpperInvariant();
        var classes = isS3 ? S3StoreSettings.StorageClasses : GcsStoreSettings.StorageClasses;
        if (storageClass.Length > 0 && !classes.Contains(storageClass))
            throw new UsageException($"storageClass '{storageClass}' in '{text}' is not one of {string.Join(", ", classes)}.");

        return new DestinationUri(scheme, bucket, prefix) { S3 = new S3UriOptions(endpoint, isS3 ? region : "auto", isS3 && pathStyle, storageClass) };
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex S3BucketName();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex GcsBucketName();

    private static DestinationUri ParseFile(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !uri.IsFile)
            throw new UsageException($"'{text}' is not a valid file:// URI; use file:///absolute/path.");
        if (!uri.IsLoopback && uri.Host.Length > 0)
            throw new UsageException($"'{text}' names host '{uri.Host}'; a file:// destination is a local path: file:///absolute/path (three slashes).");
        var path = uri.LocalPath;
        if (!Path.IsPathFullyQualified(path) || path.TrimEnd('/', '\\').Length == 0)
            throw new UsageException($"'{text}' needs an absolute folder path other than the root: file:///absolute/path.");
        return new DestinationUri("file", Path.TrimEndingDirectorySeparator(path), "");
    }

    private static DestinationUri ParseBlob(string text, string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (!AzureContainerNames.IsValid(container))
        {
            throw new UsageException(
                $"'{container}' in '{text}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).");
        }
        if (prefix.Split('/').Any(segment => segment is "." or ".." || (segment.Length == 0 && prefix.Length > 0)) || prefix.Any(c => c == '\\' || char.IsControl(c)))
            throw new UsageException($"the prefix '{prefix}' in '{text}' must be '/'-separated names without empty, '.' or '..' segments.");
        return new DestinationUri("azblob", container, prefix);
    }


    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();
}
