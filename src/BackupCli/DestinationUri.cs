using System.Text.RegularExpressions;
using System.Web;
using Azure.Identity;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;

namespace BackupCli;

/// <summary>
/// A destination on the command line: <c>file:///abs/path</c> (a local or mounted folder; the path is the store's
/// root), <c>azblob://container[/prefix]</c> (Azure Blob Storage), <c>s3://bucket[/prefix][?endpoint=…&amp;region=…&amp;pathStyle=…&amp;storageClass=…]</c>
/// (S3 and S3-compatible) or <c>gs://bucket[/prefix][?storageClass=…]</c> (Google Cloud Storage, XML API with an HMAC
/// key). Credentials only from the environment.
/// </summary>
/// <param name="Scheme"><c>file</c>, <c>azblob</c>, <c>s3</c> or <c>gs</c>.</param>
/// <param name="Location">The folder (file), the container (azblob) or the bucket (s3, gs).</param>
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

    private static readonly string[] LaterSchemes = ["sftp", "ftp"];

    /// <summary>The query options of an s3:// or gs:// destination; null for the others.</summary>
    public S3UriOptions? S3 { get; init; }

    /// <summary>Parses a destination; anything else throws <see cref="UsageException"/> saying what is accepted.</summary>
    public static DestinationUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
            throw new UsageException($"'{text}' is not a destination URI; use file:///absolute/path, azblob://container[/prefix], s3://bucket[/prefix] or gs://bucket[/prefix].");

        var scheme = text[..separator].ToLowerInvariant();
        if (LaterSchemes.Contains(scheme))
            throw new UsageException($"{scheme}:// destinations come with the destinations issue; this backupctl reads file://, azblob://, s3:// and gs://.");
        return scheme switch
        {
            "file" => ParseFile(text),
            "azblob" => ParseBlob(text, text[(separator + 3)..]),
            "s3" or "gs" => ParseBucket(text, scheme),
            _ => throw new UsageException($"unknown destination scheme '{scheme}://' in '{text}'; use file:///absolute/path, azblob://container[/prefix], s3://bucket[/prefix] or gs://bucket[/prefix]."),
        };
    }

    /// <summary>The store. For azblob:// the credentials come from the environment, never from the command line.</summary>
    /// <param name="mustExist">For reading: a file:// folder that is not there is an error, not an empty destination (a typo must not look like "no backups").</param>
    public IBackupStore CreateStore(CliContext context, bool mustExist = false)
    {
        if (Scheme == "file")
        {
            if (mustExist && !Directory.Exists(Location))
                throw new DirectoryNotFoundException($"the destination folder {Location} does not exist.");
            return new LocalFolderStore(Location);
        }
        if (Scheme is "s3" or "gs")
            return CreateS3Store(context);

        BlobServiceClient service;
        if (context.GetEnvironmentVariable(ConnectionStringVariable) is { } connectionString)
        {
            try
            {
                service = new BlobServiceClient(connectionString);
            }
            catch (FormatException ex)
            {
                throw new UsageException($"{ConnectionStringVariable} is not a valid storage connection string: {ex.Message}", ex);
            }
        }
        else if (context.GetEnvironmentVariable(AccountVariable) is { } account)
        {
            service = new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), new DefaultAzureCredential());
        }
        else
        {
            throw new UsageException(
                $"azblob:// needs credentials in the environment: set {ConnectionStringVariable}, or {AccountVariable} (signed in through DefaultAzureCredential).");
        }

        return new AzureBlobStore(service.GetBlobContainerClient(Location));
    }

    public override string ToString() => Scheme == "file"
        ? new Uri(Location).AbsoluteUri
        : (Prefix.Length == 0 ? $"{Scheme}://{Location}" : $"{Scheme}://{Location}/{Prefix}") + QueryText();

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

    private S3Store CreateS3Store(CliContext context)
    {
        var options = S3!;
        try
        {
            if (Scheme == "gs")
            {
                var (id, secret) = Credentials(context, "gs://", (GcsAccessIdVariable, GcsSecretVariable));
                return S3Store.ForGcs(new GcsStoreSettings
                {
                    Bucket = Location, HmacAccessId = id, HmacSecret = secret, Endpoint = options.Endpoint, StorageClass = options.StorageClass,
                });
            }
            var (keyId, key) = Credentials(context, "s3://", (S3AccessKeyVariable, S3SecretVariable), (AwsAccessKeyVariable, AwsSecretVariable));
            return new S3Store(new S3StoreSettings
            {
                Bucket = Location,
                AccessKeyId = keyId,
                SecretAccessKey = key,
                Endpoint = options.Endpoint,
                Region = options.Region,
                ForcePathStyle = options.PathStyle,
                StorageClass = options.StorageClass,
            });
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"{this}: {ex.Message}", ex);
        }
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
        if (!ContainerName().IsMatch(container) || container.Contains("--", StringComparison.Ordinal))
        {
            throw new UsageException(
                $"'{container}' in '{text}' is not a valid container name (3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit).");
        }
        if (prefix.Split('/').Any(segment => segment is "." or ".." || (segment.Length == 0 && prefix.Length > 0)) || prefix.Any(c => c == '\\' || char.IsControl(c)))
            throw new UsageException($"the prefix '{prefix}' in '{text}' must be '/'-separated names without empty, '.' or '..' segments.");
        return new DestinationUri("azblob", container, prefix);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
