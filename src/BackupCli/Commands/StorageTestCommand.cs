using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Streams;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl storage test --to &lt;uri&gt; [--size-mb N]</c>: the destination's connection test (write, read back,
/// list, delete a probe object, each step with its failure kind) and, with a size, its upload and download
/// throughput for an object of that many MiB of random bytes (streamed: nothing is held in memory).
/// </summary>
internal static class StorageTestCommand
{
    public static Command Create(CliContext context, Option<bool> json)
    {
        var to = new Option<string>("--to") { Description = "Destination URI (as for backup --to).", HelpName = "uri", Required = true };
        var sizeMb = new Option<int>("--size-mb") { Description = "Also measure throughput with an object of this many MiB (0: connection test only).", DefaultValueFactory = _ => 0 };
        var test = new Command("test", "Check a destination (write, read back, list, delete) and measure its throughput.") { to, sizeMb };
        test.SetAction((parse, ct) => RunAsync(context, parse.GetRequiredValue(to), parse.GetValue(sizeMb), parse.GetValue(json), ct));
        return new Command("storage", "Work with destinations.") { test };
    }

    private static async Task<int> RunAsync(CliContext context, string uri, int sizeMb, bool json, CancellationToken cancellationToken)
    {
        if (sizeMb is < 0 or > 100_000)
            throw new UsageException("--size-mb must be 0-100000.");
        var destination = DestinationUri.Parse(uri);
        var probe = await new StorageProbe(TimeProvider.System).RunAsync(_ => Task.FromResult(destination.CreateStore(context)), cancellationToken);
        Throughput? throughput = null;
        if (probe.Ok && sizeMb > 0)
            throughput = await MeasureAsync(destination.CreateStore(context), sizeMb * 1024L * 1024, cancellationToken);

        if (json)
        {
            CliOutput.WriteJson(context, new { destination = destination.ToString(), probe, throughput });
        }
        else
        {
            context.Stdout.WriteLine($"Destination {destination}:");
            foreach (var step in probe.Steps)
                context.Stdout.WriteLine($"  {step.Step,-10} {(step.Ok ? "ok" : $"FAILED ({step.Kind}): {step.Error}"),-10} {step.ElapsedMs,8:F0} ms");
            if (throughput is not null)
            {
                context.Stdout.WriteLine($"  upload   {CliOutput.Bytes(throughput.Bytes)} in {throughput.UploadSeconds:F2} s = {throughput.UploadMBps:F1} MB/s");
                context.Stdout.WriteLine($"  download {CliOutput.Bytes(throughput.Bytes)} in {throughput.DownloadSeconds:F2} s = {throughput.DownloadMBps:F1} MB/s");
            }
        }
        if (!probe.Ok)
        {
            context.Stderr.WriteLine($"backupctl: the destination failed at step '{probe.FailedStep!.Step}' ({probe.FailedStep.Kind}): {probe.FailedStep.Error}");
            return ExitCodes.Failure;
        }
        return ExitCodes.Ok;
    }

    private static async Task<Throughput> MeasureAsync(IBackupStore store, long size, CancellationToken cancellationToken)
    {
        var name = $"{StorageProbe.ProbeFolder}/throughput-{RandomNumberGenerator.GetHexString(12, lowercase: true)}";
        try
        {
            await using var source = new RandomBytesStream(size);
            var up = Stopwatch.StartNew();
            await store.PutAsync(name, source, cancellationToken);
            up.Stop();

            var down = Stopwatch.StartNew();
            byte[] read;
            await using (var stream = await store.OpenReadAsync(name, cancellationToken))
                read = await SHA256.HashDataAsync(stream, cancellationToken);
            down.Stop();
            if (!CryptographicOperations.FixedTimeEquals(read, source.Sha256()))
                throw new IOException($"the {size}-byte object read back from {store.Location} differs from what was written.");
            return new Throughput(size, up.Elapsed.TotalSeconds, down.Elapsed.TotalSeconds);
        }
        finally
        {
            await store.DeleteAsync(name, CancellationToken.None);
        }
    }

    private sealed record Throughput(long Bytes, double UploadSeconds, double DownloadSeconds)
    {
        public double UploadMBps => Bytes / 1e6 / UploadSeconds;
        public double DownloadMBps => Bytes / 1e6 / DownloadSeconds;
    }

    /// <summary>Random bytes made as they are read, hashed on the way (like a part being uploaded).</summary>
    private sealed class RandomBytesStream(long length) : ForwardOnlyReadStream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _produced;

        public byte[] Sha256() => _hash.GetCurrentHash();

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _produced);
            if (count <= 0)
                return 0;
            RandomNumberGenerator.Fill(buffer[..count]);
            _hash.AppendData(buffer[..count]);
            _produced += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
