using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;

// Usage: PreviewBenchmark SCRATCH_DIR [FILES] [RUNS]
// Generates FILES small files (default 100,000) under SCRATCH_DIR/site, backs them up to SCRATCH_DIR/store, then
// edits 1%, touches 1% (mtime only), deletes 1% and adds 1% of them, and times the preview (best of RUNS, default 3).
var scratch = Path.GetFullPath(args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "preview-bench"));
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
if (Directory.Exists(scratch))
    Directory.Delete(scratch, recursive: true);
var site = Directory.CreateDirectory(Path.Combine(scratch, "site")).FullName;
var store = new LocalFolderStore(Directory.CreateDirectory(Path.Combine(scratch, "store")).FullName);
var keyFile = Path.Combine(scratch, "kek.key");
LocalKeyFileKek.Create(keyFile);
var kek = new LocalKeyFileKek(keyFile);
string[] components = ["plugins", "themes", "uploads"];

var clock = Stopwatch.StartNew();
var random = new Random(20261207);
var buffer = new byte[4096];
var paths = new List<string>(count);
for (var i = 0; i < count; i++)
{
    // ~100 files per folder, three levels, as uploads/2024/07/... and plugins/x/y/ trees look.
    var relative = $"{components[i % 3]}/d{i / 10_000 % 10:D2}/e{i / 100 % 100:D2}/file-{i:D6}.bin";
    paths.Add(relative);
    var full = Path.Combine(site, relative);
    Directory.CreateDirectory(Path.GetDirectoryName(full)!);
    random.NextBytes(buffer);
    await File.WriteAllBytesAsync(full, buffer.AsMemory(0, 200 + random.Next(3800)).ToArray());
}
Console.WriteLine($"generated {count} files in {clock.Elapsed.TotalSeconds:F1} s");

clock.Restart();
var key = RandomNumberGenerator.GetBytes(32);
var settings = new PartSettings();
const string Prefix = "bench/";
const string BackupId = "b1";
var folder = ObjectNames.BackupFolder(Prefix, BackupId);
var files = await BackupWriter.WriteFilesAsync(store, folder, BackupId, settings, key, new FilesSource { Root = site, Components = components }, null, default);
var envelope = await kek.WrapAsync(key, default);
var now = DateTimeOffset.UtcNow;
await BackupWriter.WriteManifestAsync(store, folder, new ManifestDraft(BackupId, "bench", now, now, settings, envelope, null, files), key, default);
Console.WriteLine($"backed up {files.Files} files in {clock.Elapsed.TotalSeconds:F1} s");

var step = 100; // 1% each
for (var i = 0; i < count; i += step)
{
    var full = Path.Combine(site, paths[i]);
    var length = new FileInfo(full).Length;
    random.NextBytes(buffer);
    await File.WriteAllBytesAsync(full, buffer.AsMemory(0, (int)length).ToArray()); // edited, same size
    File.SetLastWriteTimeUtc(Path.Combine(site, paths[i + 1]), DateTime.UtcNow.AddHours(1)); // touched only
    File.Delete(Path.Combine(site, paths[i + 2]));
    await File.WriteAllBytesAsync(Path.Combine(site, paths[i + 3] + ".new"), buffer.AsMemory(0, 100).ToArray());
}

var previewer = new RestorePreviewer(kek);
var request = new RestorePreviewRequest(store, Prefix, BackupId, site, components, null);
var best = TimeSpan.MaxValue;
RestorePreview? preview = null;
for (var run = 0; run < runs; run++)
{
    clock.Restart();
    preview = await previewer.PreviewAsync(request, default);
    best = clock.Elapsed < best ? clock.Elapsed : best;
    Console.WriteLine($"preview run {run + 1}: {clock.Elapsed.TotalSeconds:F2} s");
}

var result = preview!.Files!;
Console.WriteLine(
    $"preview of {count} files: best {best.TotalSeconds:F2} s of {runs}; create {result.Create.Count}, overwrite {result.Overwrite.Count}, "
    + $"delete {result.Delete.Count}, unchanged {result.Unchanged.Count}; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB");
var expected = count / step;
if (result.Create.Count != expected || result.Overwrite.Count != expected || result.Delete.Count != expected)
{
    Console.Error.WriteLine($"unexpected counts: {expected} each of create, overwrite and delete were made");
    return 1;
}
return 0;
