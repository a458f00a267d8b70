using System.Diagnostics;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;
using Xunit.Abstractions;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>
/// Upload and download MB/s of a 256 MiB object through both profiles, run by hand:
/// <c>BF_S3_THROUGHPUT=1 dotnet test --filter S3StoreThroughput --logger "console;verbosity=detailed"</c>.
/// Without the variable it does nothing (a timing is no assertion).
/// </summary>
public sealed class S3StoreThroughput(CephRgwBucket bucket, ITestOutputHelper output) : IClassFixture<CephRgwBucket>
{
    private const long Size = 256L * 1024 * 1024;

    [Fact]
    public async Task Measure_256_MiB_up_and_down()
    {
        if (Environment.GetEnvironmentVariable("BF_S3_THROUGHPUT") != "1")
            return;
        await MeasureAsync("S3 profile", new S3Store(CephRgw.Settings(bucket.Name)));
        await MeasureAsync("GCS profile", S3Store.ForGcs(CephRgw.GcsSettings(bucket.Name)));
    }

    private async Task MeasureAsync(string label, IBackupStore store)
    {
        var name = "throughput/" + label.Replace(' ', '-');
        var watch = Stopwatch.StartNew();
        await using (var source = new GeneratedStream(Size, seed: 5))
            await store.PutAsync(name, source, CancellationToken.None);
        var up = watch.Elapsed;

        watch.Restart();
        await using (var read = await store.OpenReadAsync(name, CancellationToken.None))
            await read.CopyToAsync(Stream.Null);
        var down = watch.Elapsed;
        await store.DeleteAsync(name, CancellationToken.None);

        output.WriteLine($"{label}: upload {Size / 1e6 / up.TotalSeconds:0.0} MB/s ({up.TotalSeconds:0.00} s), download {Size / 1e6 / down.TotalSeconds:0.0} MB/s ({down.TotalSeconds:0.00} s)");
    }
}
