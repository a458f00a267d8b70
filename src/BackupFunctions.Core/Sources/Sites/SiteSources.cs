using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage.Sftp;

using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// The one place that turns a config's <see cref="FilesSource"/> into the <see cref="ISiteSource"/> a backup reads:
/// a local folder (<see cref="LocalSiteSource"/>, confined by <see cref="SiteRoots"/> again at read time), a blob
/// container (<see cref="AzureBlobSiteSource"/>), the CMS host over SFTP (<see cref="SftpSiteSource"/>), or a
/// <see cref="CompositeSiteSource"/> when components live in different sources.
/// </summary>
/// <remarks>
/// Every remote connection goes through the <see cref="NetworkPolicy"/>: the blob endpoint's and the SFTP host's
/// names are resolved and judged at connect time, as a destination's are. Secrets are read only through
/// <see cref="SecretReferences"/> (app settings <c>BackupSecrets__NAME</c>). A source that holds a connection is
/// <see cref="IDisposable"/>: callers dispose what they open (<c>(source as IDisposable)?.Dispose()</c>).
/// </remarks>
public sealed class SiteSources : IDisposable
{
    private readonly SiteRoots _siteRoots;
    private readonly NetworkPolicy _network;
    private readonly SecretReferences _secrets;
    private readonly Lazy<TokenCredential> _credential;
    private readonly HttpClient _http;

    /// <param name="credential">The app's identity for <c>accountUrl</c> sources; null: <see cref="DefaultAzureCredential"/>, as the destinations use.</param>
    public SiteSources(SiteRoots siteRoots, NetworkPolicy network, SecretReferences secrets, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(siteRoots);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(secrets);
        _siteRoots = siteRoots;
        _network = network;
        _secrets = secrets;
        _credential = new Lazy<TokenCredential>(() => credential ?? new DefaultAzureCredential());
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = network.ConnectHttpAsync,
            UseProxy = false, // a proxy would connect to the endpoint on our behalf, unjudged
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
    }

    /// <summary>
    /// A local site at <paramref name="root"/>, which the caller has confined (or, for backupctl, its operator chose):
    /// for the callers without a config's <see cref="FilesSource"/> to confine.
    /// </summary>
    public static ISiteSource Local(string root, IReadOnlyList<string> components)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"The site root '{root}' does not exist.");
        return new LocalSiteSource(root, components);
    }

    /// <summary>The site of a config, every local root confined again here (the config may predate the rule, a root may have become a link).</summary>
    /// <exception cref="InvalidOperationException">A root is outside the allowed folders, or a secret setting is missing; the message says which.</exception>
    public ISiteSource Open(FilesSource files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.IsLocal())
        {
            var confined = _siteRoots.Confine(files);
            return Local(confined.Root, confined.Components);
        }
        var groups = files.Components.GroupBy(files.SourceOf).ToList();
        if (groups.Count == 1)
            return Open(groups[0].Key, [.. groups[0]], files.ComponentSources?.ContainsKey(groups[0].First()) == true ? groups[0].First() : null);
        var parts = new List<(string, ISiteSource)>();
        try
        {
            foreach (var component in files.Components)
                parts.Add((component, Open(files.SourceOf(component), [component], files.ComponentSources?.ContainsKey(component) == true ? component : null)));
            return new CompositeSiteSource(parts);
        }
        catch
        {
            foreach (var (_, opened) in parts)
                (opened as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where an in-place restore writes a site that is not a local folder back (the caller disposes it): the same
    /// settings, secrets (by app setting, <c>BackupSecrets__</c> rules) and network confinement as reading it.
    /// </summary>
    public ISiteTarget OpenTarget(SiteSourceSettings source)
    {
        ArgumentNullException.ThrowIfNull(source);
        // The identity and the connect-time network confinement that reading uses: a restore writes where a backup read.
        return SiteTargets.Open(source, name => _secrets.Resolve(name, "a secret of files.source", "the config"), _network,
            _credential.Value, new HttpClientTransport(_http));
    }

    public void Dispose() => _http.Dispose();

    /// <param name="component">The component that has this source of its own (for messages), or null for files.source.</param>
    private ISiteSource Open(SiteSourceSettings source, IReadOnlyList<string> components, string? component)
    {
        var where = component is null ? "files.source" : $"the source of component '{component}'";
        switch (source.Type)
        {
            case SiteSourceTypes.Local:
                var confined = _siteRoots.Confine(new FilesSource { Root = source.Root ?? "", Components = components });
                return Local(confined.Root, confined.Components);
            case SiteSourceTypes.AzureBlob:
                return new AzureBlobSiteSource(BlobService(source, where).GetBlobContainerClient(source.Container), source.Prefix, components);
            case SiteSourceTypes.Sftp:
                var settings = new SftpStoreSettings
                {
                    Host = source.Host ?? throw new InvalidOperationException($"{where}: host is not set."),
                    Port = source.Port ?? 22,
                    UserName = source.User ?? throw new InvalidOperationException($"{where}: user is not set."),
                    HostKeyFingerprint = source.HostKeyFingerprint ?? throw new InvalidOperationException($"{where}: hostKeyFingerprint is not set."),
                    Password = source.PasswordSetting is { } password ? _secrets.Resolve(password, $"password of {where}", "the config") : null,
                    PrivateKey = source.PrivateKeySetting is { } key ? _secrets.Resolve(key, $"private key of {where}", "the config") : null,
                    MaxIdleConnections = 1,
                };
                return new SftpSiteSource(new SftpConnectionPool(settings, _network), source.Root ?? "/", components);
            case SiteSourceTypes.AzureFiles:
                return AzureFilesSiteSource.Create(source, components, _credential.Value,
                    name => _secrets.Resolve(name, $"connection string of {where}", "the config"), new HttpClientTransport(_http));
            default:
                throw new NotSupportedException($"{where}: site files of type '{source.Type}' cannot be read by this version.");
        }
    }

    private BlobServiceClient BlobService(SiteSourceSettings source, string where)
    {
        var options = ConfinedRetryPolicy.Apply(new BlobClientOptions { Transport = new HttpClientTransport(_http) });
        if (source.ConnectionSetting is { } setting)
            return new BlobServiceClient(_secrets.Resolve(setting, $"connection string of {where}", "the config"), options);
        if (Uri.TryCreate(source.AccountUrl, UriKind.Absolute, out var url))
            return new BlobServiceClient(url, _credential.Value, options);
        throw new InvalidOperationException($"{where}: give accountUrl or connectionSetting.");
    }
}
