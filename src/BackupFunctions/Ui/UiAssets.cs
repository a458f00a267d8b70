using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace BackupFunctions.Ui;

/// <summary>
/// The dashboard's static files, embedded in this assembly under <c>ui/</c> (see the csproj). Looked up by exact
/// name in a fixed table, never on disk, so no request path can reach anything else; paths are still checked first,
/// so that a hostile one gets a clear 400 rather than a 404.
/// </summary>
public sealed class UiAssets
{
    public const string ResourcePrefix = "ui/";

    public const string IndexPage = "index.html";

    private readonly FrozenDictionary<string, UiAsset> _assets;

    public UiAssets()
    {
        var assembly = typeof(UiAssets).Assembly;
        var types = new FileExtensionContentTypeProvider();
        var assets = new Dictionary<string, UiAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // RecursiveDir uses the build machine's separator: a build on Windows names them with '\'.
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
                continue;
            name = name[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            // The pages are small (tens of KB in all) and fixed for the life of the process: held once, hashed once.
            var content = copy.ToArray();
            if (!types.TryGetContentType(name, out var contentType))
                contentType = "application/octet-stream";
            if (contentType.StartsWith("text/", StringComparison.Ordinal) || contentType is "application/json" or "image/svg+xml")
                contentType += "; charset=utf-8";
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(content))[..32] + "\"";
            assets[name] = new UiAsset(name, contentType, etag, content);
        }
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The names of every asset (for tests and diagnostics).</summary>
    public IReadOnlyCollection<string> Names => _assets.Keys;

    /// <summary>
    /// Null with an error message when <paramref name="path"/> is not a plain relative name: segments of letters,
    /// digits, <c>.</c>, <c>-</c> and <c>_</c>, none empty, none <c>.</c> or <c>..</c>, no backslash, no colon, at most
    /// 200 characters. An empty path is the index page.
    /// </summary>
    public static string? Refusal(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return null;
        if (path.Length > 200)
            return "The path is longer than 200 characters.";
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
                return "The path has an empty segment.";
            if (segment is "." or "..")
                return "The path may not contain '.' or '..' segments.";
            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
                    return "The path may contain only letters, digits, '.', '-', '_' and '/'.";
            }
        }
        return null;
    }

    /// <summary>The asset at <paramref name="path"/> (empty: the index page); null when there is none.</summary>
    public UiAsset? Find(string? path)
        => _assets.GetValueOrDefault(string.IsNullOrEmpty(path) ? IndexPage : path);
}
