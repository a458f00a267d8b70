using System.Text.RegularExpressions;
using Azure.Identity;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Storage;

namespace BackupCli;

/// <summary>
/// A destination on the command line: <c>file:///abs/path</c> (a local or mounted folder; the path is the store's
/// root) or <c>azblob://container[/prefix]</c> (Azure Blob Storage; credentials only from the environment).
/// </summary>
/// <param name="Scheme"><c>file</c> or <c>azblob</c>.</param>
/// <param name="Location">The folder (file) or the container (azblob).</param>
/// <param name="Prefix">What comes before <c>backups/</c> in object names; empty for file://.</param>
internal sealed partial record DestinationUri(string Scheme, string Location, string Prefix)
{
    public const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";
    public const string AccountVariable = "AZURE_STORAGE_ACCOUNT";

    private static readonly string[] LaterSchemes = ["s3", "gs", "ftp"];

    /// <summary>Parses a destination; anything else throws <see cref="UsageException"/> saying what is accepted.</summary>
    public static DestinationUri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
            throw new UsageException($"'{text}' is not a destination URI; use file:///absolute/path or azblob://container[/prefix].");

        var scheme = text[..separator].ToLowerInvariant();
        if (LaterSchemes.Contains(scheme))
            throw new UsageException($"{scheme}:// destinations come with the destinations issue; this backupctl reads file:// and azblob://.");
        return scheme switch
        {
            "file" => ParseFile(text),
            "azblob" => ParseBlob(text, text[(separator + 3)..]),
            "sftp" => FromSftp(SftpDestination.Parse(text)),
            _ => throw new UsageException($"unknown destination scheme '{scheme}://' in '{text}'; use file:///absolute/path or azblob://container[/prefix]."),
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
        if (Sftp is not null)
            return Sftp.CreateStore(context);

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

    /// <summary>Host, user, folder and host key of an sftp:// destination; null for the other schemes.</summary>
    public SftpDestination? Sftp { get; init; }

    public override string ToString() => Sftp is not null ? Sftp.ToString()
        : Scheme == "file" ? new Uri(Location).AbsoluteUri
        : Prefix.Length == 0 ? $"azblob://{Location}" : $"azblob://{Location}/{Prefix}";

    // The URI's folder is the store's base folder, so object names carry no prefix (as with file://).
    private static DestinationUri FromSftp(SftpDestination sftp) =>
        new("sftp", $"{sftp.User}@{sftp.Host}:{sftp.Port}/{sftp.BasePath}", "") { Sftp = sftp };

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
