using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Which site folders a config may back up: <c>files.root</c> must resolve (realpath(3): every symbolic link along
/// it followed, <c>.</c> and <c>..</c> removed) to a folder equal to or inside the resolved form of one of
/// <see cref="FilesOptions.AllowedRoots"/>, and each component is one folder name under it. Checked when a config is
/// posted (<see cref="Check"/>, a 400 naming <c>files.root</c>) and again when a backup reads the site
/// (<see cref="Confine"/>), because a config may predate the rule and a root may be replaced by a link afterwards.
/// Whatever the allowed roots say, a site never includes the app's own local backups (<c>Storage:LocalRoot</c>, which
/// may hold other configs' unencrypted backups) or its key file (<c>Keys:LocalKeyFile</c>).
/// </summary>
/// <remarks>backupctl, run by an operator on their own machine, does not use this: it reads what its operator names.</remarks>
public sealed class SiteRoots(IOptions<FilesOptions> options, IOptions<StorageOptions> storage, IOptions<KeyOptions> keys)
{
    /// <summary>The most components a config may list.</summary>
    public const int MaxComponents = 100;

    /// <summary>The longest component name (a file name's limit on common file systems).</summary>
    public const int MaxComponentLength = 255;

    private const string Setting = FilesOptions.SectionName + "__" + nameof(FilesOptions.AllowedRoots);

    /// <summary>
    /// Null when <paramref name="root"/> may be backed up, with its resolved form in <paramref name="realRoot"/>; else
    /// why not, naming the setting and how to allow a folder.
    /// </summary>
    public string? Check(string? root, out string realRoot)
    {
        realRoot = "";
        if (string.IsNullOrWhiteSpace(root) || !Path.IsPathFullyQualified(root) || root.Any(char.IsControl))
            return "The site root must be an absolute folder path.";
        var allowed = options.Value.AllowedRootList();
        if (allowed.Count == 0)
        {
            return $"No site folder may be backed up here: the app setting {Setting} is empty. The operator allows a folder "
                + $"by listing it there (absolute folders separated by ';', e.g. /var/www).";
        }

        var allowedReal = allowed.Select(a => RealPath.TryResolve(a, out _)).OfType<string>().ToList();
        var real = RealPath.TryResolve(root, out _);
        if (real is not null && allowedReal.Exists(a => IsInside(real, a)))
        {
            if (!Directory.Exists(real))
                return $"The site root '{Printable(root)}' is not a folder.";
            if (ProtectedPaths().FirstOrDefault(p => IsInside(real, p.Path)) is { Path: not null } inside)
                return $"The site root '{Printable(root)}' is inside the app's {inside.What}, which no config may back up.";
            realRoot = real;
            return null;
        }

        // Whether the root exists is told only inside the allowed folders: elsewhere the answer would let a caller
        // probe the server's file system.
        var full = Path.GetFullPath(root);
        var lexicallyInside = allowed.Any(a => IsInside(full, Path.GetFullPath(a))) || allowedReal.Exists(a => IsInside(full, a));
        if (real is null && lexicallyInside)
            return $"The site root '{Printable(root)}' does not exist.";
        var how = lexicallyInside ? " (a symbolic link along it leads out)" : "";
        return $"The site root '{Printable(root)}' is not inside a folder allowed by the app setting {Setting}{how}, symbolic links "
            + $"followed. Allowed: {string.Join("; ", allowed)}. The operator allows another folder by adding it there (absolute folders separated by ';').";
    }

    /// <summary>
    /// Null when no component of a root that passed <see cref="Check"/> (<paramref name="realRoot"/>, resolved) holds
    /// the app's local backups or its key file; else why not.
    /// </summary>
    public string? ComponentsProblem(string realRoot, IEnumerable<string> components)
    {
        ArgumentNullException.ThrowIfNull(realRoot);
        ArgumentNullException.ThrowIfNull(components);
        foreach (var component in components.Where(c => ComponentProblem(c) is null))
        {
            var path = Path.Combine(realRoot, component);
            var real = RealPath.TryResolve(path, out _) ?? path;
            if (ProtectedPaths().FirstOrDefault(p => IsInside(p.Path, real) || IsInside(p.Path, path)) is { Path: not null } held)
                return $"The component '{component}' holds the app's {held.What}, which no config may back up.";
        }
        return null;
    }

    /// <summary>
    /// At backup time: <paramref name="files"/> with its root replaced by the resolved folder, after the same checks
    /// as <see cref="Check"/>, <see cref="ComponentProblem"/> and <see cref="ComponentsProblem"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The root is missing or outside the allowed folders, or a component is not a folder name; the message says which and names the setting.</exception>
    public FilesSource Confine(FilesSource files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (Check(files.Root, out var realRoot) is { } problem)
            throw new InvalidOperationException(problem);
        foreach (var component in files.Components)
        {
            if (ComponentProblem(component) is { } componentProblem)
                throw new InvalidOperationException($"files.components: {componentProblem}");
        }
        if (ComponentsProblem(realRoot, files.Components) is { } held)
            throw new InvalidOperationException($"files.components: {held}");
        return files with { Root = realRoot };
    }

    /// <summary>
    /// Null when <paramref name="component"/> is one folder name directly under the site root; else why not. Never
    /// empty, <c>.</c> (the root itself), <c>/</c> or any other path, nothing with <c>..</c> or control characters.
    /// </summary>
    public static string? ComponentProblem(string? component)
    {
        if (string.IsNullOrWhiteSpace(component))
            return "A component must not be empty; it is a folder name under the site root (e.g. uploads).";
        if (component.Length > MaxComponentLength || component.Any(char.IsControl))
            return "A component is a folder name under the site root: at most 255 characters, no control characters.";
        if (component == "." || component.Contains("..", StringComparison.Ordinal) || component.Contains('/') || component.Contains('\\'))
            return $"'{component}' is not a folder name directly under the site root (no '/', '\\', '.' or '..').";
        return null;
    }

    /// <summary>What a site may never include, resolved where it exists.</summary>
    private IEnumerable<(string Path, string What)> ProtectedPaths()
    {
        if (storage.Value.LocalRoot is { Length: > 0 } localRoot)
            yield return (Resolved(localRoot), $"local backups folder ({StorageOptions.SectionName}__{nameof(StorageOptions.LocalRoot)})");
        if (keys.Value.LocalKeyFile is { Length: > 0 } keyFile)
            yield return (Resolved(keyFile), $"key file ({KeyOptions.SectionName}__{nameof(KeyOptions.LocalKeyFile)})");
    }

    private static string Resolved(string path) => RealPath.TryResolve(path, out _) ?? Path.GetFullPath(path);

    private static bool IsInside(string path, string folder)
    {
        var outer = folder.TrimEnd('/');
        if (outer.Length == 0)
            return true; // "/" holds everything
        var inner = path.TrimEnd('/');
        return inner == outer || inner.StartsWith(outer + "/", StringComparison.Ordinal);
    }

    private static string Printable(string value) => new([.. value.Take(500).Select(c => char.IsControl(c) ? '?' : c)]);
}
