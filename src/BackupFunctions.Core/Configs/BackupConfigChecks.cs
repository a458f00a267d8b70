using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Everything a config posted to the API must pass before it is stored: its shape
/// (<see cref="BackupConfigValidator"/>, pure) and then what only the app's settings can tell: which hosts it may
/// name, which site roots it may read, which settings its secrets may refer to. Errors are keyed by JSON path.
/// </summary>
public sealed class BackupConfigChecks(NetworkPolicy network, SiteRoots siteRoots)
{
    /// <summary>An empty result means the config may be stored.</summary>
    public IReadOnlyDictionary<string, string[]> Validate(BackupConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = BackupConfigValidator.Validate(config).ToDictionary(e => e.Key, e => e.Value.ToList());
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        }

        // Confinement checks that need the app's settings go below, each adding its errors through Add.
        CheckDatabaseHost(config.Database, Add);
        CheckWebhookHosts(config, Add);
        CheckSiteRoot(config, errors.ContainsKey("files.root"), Add);
        CheckSiteSources(config.Files, errors.Keys.ToHashSet(StringComparer.Ordinal), Add);

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>
    /// <c>database.host</c> is where the service sends the database password and from where it reads a whole
    /// database: a literal metadata or link-local address is refused always, a loopback or private one unless
    /// Network__AllowedRanges lists it. A name passes here and is judged by what it resolves to at connect time
    /// (<see cref="Sources.DatabaseConnections"/>). Only a host name or an IP address is accepted: Npgsql and libpq
    /// read a path as a Unix socket and a comma as a list of hosts, either of which would escape the check.
    /// </summary>
    private void CheckDatabaseHost(DatabaseSource? database, Action<string, string> add)
    {
        if (database is null || string.IsNullOrWhiteSpace(database.Host))
            return;
        if (Uri.CheckHostName(database.Host) is UriHostNameType.Unknown or UriHostNameType.Basic || database.Host.StartsWith('['))
        {
            add("database.host", "The host must be a host name or an IP address (IPv6 without brackets).");
            return;
        }
        if (network.CheckHost(database.Host) is { } refused)
            add("database.host", $"The database host is not allowed: {refused}.");
    }

    /// <summary>
    /// A webhook URL naming an address the policy refuses (or port 0) is refused here; a host name is judged by what
    /// it resolves to, at every delivery.
    /// </summary>
    private void CheckWebhookHosts(BackupConfig config, Action<string, string> add)
    {
        var webhooks = config.Notifications?.Webhooks ?? [];
        for (var i = 0; i < webhooks.Count; i++)
        {
            // A URL the shape check refused already has its error.
            if (webhooks[i]?.Url is not { } url || Notifications.NotificationConfigValidator.CheckUrl(url) is not null)
                continue;
            var uri = new Uri(url);
            if (uri.Port is < 1 or > 65535)
                add($"notifications.webhooks[{i}].url", "The URL's port must be between 1 and 65535 (or none).");
            else if (network.CheckHost(uri.IdnHost) is { } refused)
                add($"notifications.webhooks[{i}].url", $"The URL is not allowed: {refused}.");
        }
    }

    /// <summary>
    /// files.root: an existing folder inside Files:AllowedRoots, symbolic links resolved; no component holding the app's
    /// local backups or key file (<see cref="SiteRoots"/>).
    /// </summary>
    private void CheckSiteRoot(BackupConfig config, bool shapeRefused, Action<string, string> add)
    {
        if (config.Files is not { } files || shapeRefused || files.Source is not null)
            return;
        if (siteRoots.Check(files.Root, out var realRoot) is { } problem)
            add("files.root", problem);
        else if (files.Components is not null
            && siteRoots.ComponentsProblem(realRoot, files.Components.Where(c => files.ComponentSources?.ContainsKey(c) != true)) is { } held)
            add("files.components", held);
    }

    /// <summary>
    /// A remote source's host (the SFTP host, the account URL's host) is confined like a destination's: a literal
    /// address the policy refuses is refused here, a name is judged by what it resolves to at connect time
    /// (<see cref="SiteSources"/>). A component's local source is confined like <c>files.root</c>.
    /// </summary>
    private void CheckSiteSources(FilesSource? files, HashSet<string> refused, Action<string, string> add)
    {
        if (files is null)
            return;
        if (files.Source is { } main)
            CheckSource(main, "files.source", null);
        var components = files.Components?.ToList() ?? [];
        foreach (var (name, source) in files.ComponentSources ?? new Dictionary<string, SiteSourceSettings>())
        {
            if (components.IndexOf(name) is var index and >= 0 && source is not null)
                CheckSource(source, $"files.components[{index}].source", name);
        }

        void CheckSource(SiteSourceSettings source, string path, string? component)
        {
            if (refused.Any(k => k.StartsWith(path, StringComparison.Ordinal)))
                return; // its shape is refused already
            if (source.Type == SiteSourceTypes.Local)
            {
                if (siteRoots.Check(source.Root, out var realRoot) is { } problem)
                    add($"{path}.root", problem);
                else if (component is not null && siteRoots.ComponentsProblem(realRoot, [component]) is { } held)
                    add($"{path}.root", held);
                return;
            }
            if (SiteSourceRules.HostOf(source) is { Length: > 0 } host && network.CheckHost(host) is { } hostRefused)
                add(source.Type == SiteSourceTypes.Sftp ? $"{path}.host" : $"{path}.accountUrl", $"The host is not allowed: {hostRefused}.");
        }
    }
}
