using System.Diagnostics;
using System.Security.Cryptography;
using BackupFunctions.Core.Storage.Ftp;
using Xunit.Abstractions;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>
/// Upload and download speed of a 256 MiB object over FTP and FTPS, run by hand:
/// <c>BF_MEASURE_FTP=1 dotnet test --filter FtpThroughputMeasurement --logger "console;verbosity=detailed"</c>.
/// Does nothing without the variable (it is a measurement, not a check).
/// </summary>
public sealed class FtpThroughputMeasurement(FtpFolder folder, ITestOutputHelper output) : IClassFixture<FtpFolder>
{
    private const long Size = 256L * 1024 * 1024;

    [Theory]
    [InlineData(FtpTlsMode.None)]
    [InlineData(FtpTlsMode.Explicit)]
    public async Task Measure_256_MiB(FtpTlsMode tls)
    {
        if (Environment.GetEnvironmentVariable("BF_MEASURE_FTP") != "1")
            return;
        await using var store = new FtpStore(folder.Settings(tls));
        var name = $"measure-{tls}";

        var watch = Stopwatch.StartNew();
        await using (var source = new GeneratedStream(Size, seed: 5))
            await store.PutAsync(name, source, CancellationToken.None);
        var up = watch.Elapsed;

        watch.Restart();
        byte[] hash;
        await using (var read = await store.OpenReadAsync(name, CancellationToken.None))
            hash = await SHA256.HashDataAsync(read, CancellationToken.None);
        var down = watch.Elapsed;

        Assert.Equal(GeneratedStream.Sha256Of(Size, seed: 5), hash);
        output.WriteLine($"{tls}: upload {Size / 1e6 / up.TotalSeconds:0.0} MB/s ({up.TotalSeconds:0.00} s), download {Size / 1e6 / down.TotalSeconds:0.0} MB/s ({down.TotalSeconds:0.00} s)");
        await store.DeleteAsync(name, CancellationToken.None);
    }
}
