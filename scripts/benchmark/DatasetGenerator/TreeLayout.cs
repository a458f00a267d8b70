namespace BackupFunctions.Benchmark;

/// <summary>
/// Where each generated file goes: media under uploads/YYYY/MM, text assets under plugins/, themes/, config/ and a
/// few in uploads, with nesting like a WordPress-style install. Paths carry the file's index so they never collide.
/// </summary>
internal sealed class TreeLayout
{
    private const int ConfigFiles = 24;

    private static readonly string[] MediaExtensions = ["jpg", "jpg", "jpg", "jpg", "png", "png", "webp", "mp4", "pdf", "zip"];
    private static readonly string[] ThumbnailSizes = ["", "", "-150x150", "-300x200", "-768x512", "-1024x683"];

    private readonly FastRandom _random;
    private readonly string[] _plugins;
    private readonly string[] _themes;

    public TreeLayout(FastRandom random)
    {
        _random = random;
        _plugins = [.. Enumerable.Range(0, 40).Select(i => $"{Word()}-{Word()}-{i}")];
        _themes = [.. Enumerable.Range(0, 8).Select(i => $"{Word()}-{i}")];
    }

    public string MediaPath(int index) =>
        $"{Uploads()}/{Word()}-{Word()}-{index}{_random.Pick(ThumbnailSizes)}.{_random.Pick(MediaExtensions)}";

    /// <summary>The relative path of text file number <paramref name="index"/> and its kind (a TextAssets type).</summary>
    public (string Path, string Kind) TextPath(int index)
    {
        var name = $"{Word()}-{Word()}-{index}";
        if (index < ConfigFiles)
        {
            var kind = _random.Pick<string>(["json", "yml", "php"]);
            return ($"config/{(index % 3 == 0 ? "sites/" : "")}{name}.{kind}", kind);
        }

        var roll = _random.NextDouble();
        if (roll < 0.45)
        {
            var (folder, kind) = _random.Pick<(string, string)>(
            [
                ("src", "php"), ($"src/{Word()}", "php"), ($"includes/{Word()}/{Word()}", "php"), ("assets/css", "css"),
                ("assets/js", "js"), ("assets/js/vendor", "js"), ("templates", "html"), ("languages", "po"), ("", "md"),
            ]);
            return (Join($"plugins/{_random.Pick(_plugins)}", folder, $"{name}.{kind}"), kind);
        }

        if (roll < 0.85)
        {
            var (folder, kind) = _random.Pick<(string, string)>(
            [
                ("css", "css"), ("css/blocks", "css"), ("js", "js"), ("templates", "html"), ("templates/partials", "html"),
                ("parts", "php"), ("assets/icons", "svg"), ("", "json"),
            ]);
            return (Join($"themes/{_random.Pick(_themes)}", folder, $"{name}.{kind}"), kind);
        }

        var uploadKind = _random.Pick<string>(["svg", "json", "html"]);
        return ($"{Uploads()}/{name}.{uploadKind}", uploadKind);
    }

    private string Uploads() => $"uploads/{2015 + _random.Next(12)}/{1 + _random.Next(12):00}";

    private string Word() => _random.Pick(TextAssets.Vocabulary);

    private static string Join(string root, string folder, string file) =>
        folder.Length == 0 ? $"{root}/{file}" : $"{root}/{folder}/{file}";
}
