using System.Diagnostics;
using System.Globalization;
using BackupFunctions.Benchmark;

// Writes a reproducible CMS-like site tree for scripts/benchmark/run.sh: by bytes ~70% incompressible media of
// 50 KB-20 MB and ~30% compressible text assets of 1-200 KB, about 20,000 files per GB. The same seed and size
// give the same tree, byte for byte.
//
//   DatasetGenerator --out <empty or missing folder> --size-gb <GB, e.g. 0.1, 1, 4> [--seed <n>]
//   DatasetGenerator --mutate <generated folder> [--seed <n>]     (the incremental round: SiteMutation)

const long Gigabyte = 1_000_000_000;
const double MediaShare = 0.7;

string? outDir = null;
string? mutateDir = null;
double sizeGb = 0;
ulong seed = 20260101;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--out": outDir = Path.GetFullPath(args[i + 1]); break;
        case "--mutate": mutateDir = Path.GetFullPath(args[i + 1]); break;
        case "--size-gb": _ = double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out sizeGb); break;
        case "--seed": _ = ulong.TryParse(args[i + 1], CultureInfo.InvariantCulture, out seed); break;
        default: return Usage($"unknown option {args[i]}");
    }
}

if (mutateDir is not null && args.Length % 2 == 0 && outDir is null)
{
    if (!Directory.Exists(mutateDir))
    {
        return Usage($"{mutateDir} does not exist");
    }

    var (changed, added, deleted) = SiteMutation.Apply(mutateDir, new FastRandom(seed), 0.01, 0.001, 0.001);
    Console.WriteLine($"Mutated {mutateDir}: {changed} files changed, {added} added, {deleted} deleted (seed {seed})");
    return 0;
}

if (args.Length % 2 != 0 || outDir is null || sizeGb <= 0)
{
    return Usage("--out and a positive --size-gb are required");
}

if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
{
    return Usage($"{outDir} is not empty; the tree would not be reproducible");
}

var clock = Stopwatch.StartNew();
var random = new FastRandom(seed);
var layout = new TreeLayout(random);
var created = new HashSet<string>(StringComparer.Ordinal);
var buffer = new byte[1 << 20];
var total = (long)(sizeGb * Gigabyte);
var mediaBudget = (long)(total * MediaShare);

// Sizes are drawn as min * (max/min)^(u^3): most files are small (thumbnails, stylesheets) and a few are large
// (videos, bundles), which with these ranges gives about 20,000 files per GB.
var mediaFiles = 0;
for (long left = mediaBudget; left > 0; mediaFiles++)
{
    var size = Math.Min(left, Draw(50_000, 20_000_000));
    using var file = Create(layout.MediaPath(mediaFiles), size);
    for (var written = 0L; written < size;)
    {
        var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - written));
        random.NextBytes(chunk);
        file.Write(chunk);
        written += chunk.Length;
    }

    left -= size;
}

var textFiles = 0;
for (long left = total - mediaBudget; left > 0; textFiles++)
{
    var size = (int)Math.Min(left, Draw(1_000, 200_000));
    var (path, kind) = layout.TextPath(textFiles);
    var text = buffer.AsSpan(0, size);
    TextAssets.Fill(text, kind, random);
    using var file = Create(path, size);
    file.Write(text);
    left -= size;
}

var seconds = clock.Elapsed.TotalSeconds;
Console.WriteLine(
    $"Generated {mediaFiles + textFiles} files ({mediaFiles} media, {textFiles} text), {total} bytes, seed {seed}, " +
    $"in {seconds:F1} s ({total / 1e6 / seconds:F0} MB/s) under {outDir}");
return 0;

long Draw(long min, long max) => (long)(min * Math.Pow((double)max / min, Math.Pow(random.NextDouble(), 3)));

FileStream Create(string relativePath, long size)
{
    var path = Path.Combine(outDir, relativePath);
    var folder = Path.GetDirectoryName(path)!;
    if (created.Add(folder))
    {
        Directory.CreateDirectory(folder);
    }

    // Unbuffered: every write is already a large chunk.
    return new FileStream(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        BufferSize = 0,
        PreallocationSize = size,
    });
}

static int Usage(string problem)
{
    Console.Error.WriteLine($"DatasetGenerator: {problem}");
    Console.Error.WriteLine("usage: DatasetGenerator --out <empty folder> --size-gb <GB> [--seed <n>]");
    Console.Error.WriteLine("       DatasetGenerator --mutate <generated folder> [--seed <n>]");
    return 2;
}
