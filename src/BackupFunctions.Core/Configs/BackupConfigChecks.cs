using BackupFunctions.Core.Network;

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
        _ = network;
        CheckSiteRoot(config, errors.ContainsKey("files.root"), Add);

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>
    /// files.root: an existing folder inside Files:AllowedRoots, symbolic links resolved; no component holding the app's
    /// local backups or key file (<see cref="SiteRoots"/>).
    /// </summary>
    private void CheckSiteRoot(BackupConfig config, bool shapeRefused, Action<string, string> add)
    {
        if (config.Files is not { } files || shapeRefused)
            return;
        if (siteRoots.Check(files.Root, out var realRoot) is { } problem)
            add("files.root", problem);
        else if (files.Components is not null && siteRoots.ComponentsProblem(realRoot, files.Components) is { } held)
            add("files.components", held);
    }
}
