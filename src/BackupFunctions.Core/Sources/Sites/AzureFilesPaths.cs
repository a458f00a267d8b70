using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Files.Shares;
using Azure.Storage.Files.Shares.Models;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// What <see cref="AzureFilesSiteSource"/> and <see cref="AzureFilesSiteTarget"/> share: the share client made from the
/// settings, and the confinement of every path to the share folder. A name the server lists is as hostile as one
/// that comes through the API: a name of "..", ".", or one holding a separator or a control character is never joined
/// into a path (Azure Files itself refuses such names, so only a forged answer could hold one).
/// </summary>
internal static class AzureFilesPaths
{
    /// <summary>Ranged reads and writes go in pieces of this size (the service's limit for one Put Range).</summary>
    public const int RangeBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The share client for <paramref name="settings"/>: with the app's identity at <see cref="SiteSourceSettings.AccountUrl"/>
    /// (Backup token intent, which the Storage File Data Privileged roles require and which lets them read past file
    /// ACLs), or with the connection string in the app setting named by <see cref="SiteSourceSettings.ConnectionSetting"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The settings name no share, or neither or both ways in, or the setting is empty.</exception>
    /// <param name="transport">The HTTP pipeline's transport (the app's, confined by the network policy); the SDK's default when null.</param>
    public static ShareClient CreateShareClient(
        SiteSourceSettings settings, TokenCredential credential, Func<string, string?> readSetting, HttpPipelineTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(readSetting);
        if (string.IsNullOrEmpty(settings.Share))
            throw new ArgumentException("files.source.share is required for azureFiles", nameof(settings));
        var options = new ShareClientOptions { ShareTokenIntent = ShareTokenIntent.Backup };
        if (transport is not null)
        {
            // A confined transport: its refusals are final, not retried.
            options.Transport = transport;
            Network.ConfinedRetryPolicy.Apply(options);
        }
        if (!string.IsNullOrEmpty(settings.ConnectionSetting))
        {
            if (!string.IsNullOrEmpty(settings.AccountUrl))
                throw new ArgumentException("files.source takes accountUrl or connectionSetting, not both", nameof(settings));
            var connectionString = readSetting(settings.ConnectionSetting);
            if (string.IsNullOrEmpty(connectionString))
                throw new ArgumentException($"the app setting '{settings.ConnectionSetting}' (files.source.connectionSetting) is empty", nameof(settings));
            return new ShareClient(connectionString, settings.Share, options);
        }
        if (string.IsNullOrEmpty(settings.AccountUrl) || !Uri.TryCreate(settings.AccountUrl, UriKind.Absolute, out var account)
            || account.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException("files.source.accountUrl must be an https URL (or give connectionSetting)", nameof(settings));
        var shareUri = new ShareUriBuilder(account) { ShareName = settings.Share }.ToUri();
        return new ShareClient(shareUri, credential, options);
    }

    /// <summary>Whether a single name (one path segment) may be used as it is.</summary>
    public static bool IsSafeName(string? name) =>
        !string.IsNullOrEmpty(name) && name is not "." and not ".."
        && !name.Any(c => c is '/' or '\\' || char.IsControl(c));

    /// <summary>The segments of a '/'-separated relative path; throws when one is not a safe name.</summary>
    /// <exception cref="ArgumentException">The path is empty, rooted, or has an unsafe segment.</exception>
    public static string[] Segments(string path, string what)
    {
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || !segments.All(IsSafeName))
            throw new ArgumentException($"{what} '{Printable(path)}' is not a relative path of plain names", nameof(path));
        return segments;
    }

    /// <summary>The share folder (<see cref="SiteSourceSettings.Prefix"/>) as "a/b", or "" for the share's root.</summary>
    public static string Folder(string? prefix) =>
        string.IsNullOrEmpty(prefix?.Trim('/')) ? "" : string.Join('/', Segments(prefix, "files.source.prefix"));

    /// <summary>The path in the share of a path relative to the folder, after checking each of its segments.</summary>
    public static string InShare(string folder, string relative, string what)
    {
        var joined = string.Join('/', Segments(relative, what));
        return folder.Length == 0 ? joined : folder + "/" + joined;
    }

    /// <summary>A name fit for a log line: control characters shown as '?'.</summary>
    public static string Printable(string? name) =>
        new((name ?? "").Select(c => char.IsControl(c) ? '?' : c).ToArray());

    /// <summary>Not there (the file, or a folder on the way): for a reader, the entry is gone.</summary>
    public static bool IsGone(RequestFailedException e) => e.Status == 404;

    /// <summary>
    /// Gone, or of the other kind now (a file where a folder was, or the reverse): the service answers 404 or 409
    /// ResourceTypeMismatch depending on the operation. For the reader both mean "not what was listed".
    /// </summary>
    public static bool IsGoneOrOtherKind(RequestFailedException e) =>
        IsGone(e) || e.ErrorCode == ShareErrorCode.ResourceTypeMismatch.ToString();

    public static ShareDirectoryClient Directory(ShareClient share, string path) =>
        path.Length == 0 ? share.GetRootDirectoryClient() : share.GetDirectoryClient(path);

    public static ShareFileClient File(ShareClient share, string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0
            ? share.GetRootDirectoryClient().GetFileClient(path)
            : share.GetDirectoryClient(path[..slash]).GetFileClient(path[(slash + 1)..]);
    }

    /// <summary>The time a site entry carries: the SMB last-write time (what a CMS's writes change), else Last-Modified.</summary>
    public static DateTimeOffset WrittenAt(DateTimeOffset? lastWrite, DateTimeOffset? lastModified) =>
        lastWrite ?? lastModified ?? DateTimeOffset.UnixEpoch;
}
