using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.Sftp;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// What an upload killed mid-way leaves behind (the hidden <c>.name.tmp-…</c> file of a local, SFTP or FTP
/// destination, planted here exactly as the store names it) is removed by the job's cleanup, and by retention once it
/// is older than the grace period — never before, and never while its job still runs — and the usage meter counts it
/// and says so. Real engine on Azurite; the real sshd and vsftpd.
/// </summary>
public sealed class LeftoverTemporaryTests(SftpServer sftp, FtpFolder ftp)
    : IClassFixture<SftpServer>, IClassFixture<FtpFolder>, IAsyncLifetime
{
    private const string TempSuffix = ".tmp-0123456789ab";
    private readonly JobEngine _engine = new();
    private readonly List<PlantedDestination> _planted = [];

    public Task InitializeAsync() => _engine.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var destination in _planted)
            await destination.CleanUpAsync();
        await _engine.DisposeAsync();
    }

    public static TheoryData<string> Kinds => new() { StorageTypes.Local, StorageTypes.Sftp, StorageTypes.Ftp };

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_failed_jobs_cleanup_removes_the_temporaries_of_its_interrupted_uploads(string kind)
    {
        var destination = await DestinationAsync(kind);
        var config = await ConfigAsync(kind, destination);
        var failing = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(3));
        var other = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(1));
        var prefix = config.Config.Storage.Prefix;
        var part = ObjectNames.BackupFolder(prefix, failing.Id) + ObjectNames.Index;
        var leftover = TemporaryOf(ObjectNames.BackupFolder(prefix, failing.Id) + ObjectNames.FirstFilesVolume);
        var othersUpload = TemporaryOf(ObjectNames.BackupFolder(prefix, other.Id) + ObjectNames.FirstFilesVolume);
        await destination.PlantAsync(part, 10);
        await destination.PlantAsync(leftover, 700);
        await destination.PlantAsync(othersUpload, 300);

        await _engine.Get<BackupRunner>().FailJobAsync(
            new FailureInput(failing.Id, "archive-files failed: the worker died", await PlanOfAsync(failing)), CancellationToken.None);

        Assert.False(await destination.ExistsAsync(part));
        Assert.False(await destination.ExistsAsync(leftover), "the failed job's temporary file is still there");
        // Another job's upload in progress is not this job's to remove.
        Assert.True(await destination.ExistsAsync(othersUpload));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Retention_removes_temporaries_only_after_the_grace_period_and_never_those_of_a_running_job(string kind)
    {
        var destination = await DestinationAsync(kind);
        var config = await ConfigAsync(kind, destination);
        var done = await _engine.CreateJobAsync(config.Id, JobStatus.Completed, TimeSpan.FromHours(1));
        var running = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(1));
        var prefix = config.Config.Storage.Prefix;
        var kept = ObjectNames.BackupFolder(prefix, done.Id) + ObjectNames.Index;
        var leftover = TemporaryOf(ObjectNames.BackupFolder(prefix, done.Id) + ObjectNames.FirstFilesVolume);
        var uploading = TemporaryOf(ObjectNames.BackupFolder(prefix, running.Id) + ObjectNames.Database);
        // Not under this config's prefix: another config's business.
        var foreign = TemporaryOf("elsewhere/backups/" + done.Id + "/" + ObjectNames.Database);
        await destination.PlantAsync(kept, 10);
        await destination.PlantAsync(leftover, 700);
        await destination.PlantAsync(uploading, 300);
        await destination.PlantAsync(foreign, 5);
        var planted = DateTimeOffset.UtcNow;
        var cleaner = _engine.Get<RetentionCleaner>();

        // Within the grace period (24 hours by default) a temporary may belong to an upload that is still going.
        _engine.Clock.SetUtcNow(planted.AddHours(23));
        await cleaner.ApplyAsync(config.Id, CancellationToken.None);
        Assert.True(await destination.ExistsAsync(leftover), "removed within the grace period");
        Assert.True(await destination.ExistsAsync(uploading));

        _engine.Clock.SetUtcNow(planted.AddHours(25));
        var report = await cleaner.ApplyAsync(config.Id, CancellationToken.None);
        Assert.False(await destination.ExistsAsync(leftover), "still there after the grace period");
        Assert.Equal((1, 700L), (report!.TemporariesRemoved, report.TemporaryBytesRemoved));
        Assert.True(await destination.ExistsAsync(kept));
        // The running job's temporary is old by its time, but its job has not ended: it may still be written.
        Assert.True(await destination.ExistsAsync(uploading));
        Assert.True(await destination.ExistsAsync(foreign));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Usage_counts_temporaries(string kind)
    {
        var destination = await DestinationAsync(kind);
        var config = await ConfigAsync(kind, destination);
        var folder = ObjectNames.BackupFolder(config.Config.Storage.Prefix, "0000000000000000001-x");
        await destination.PlantAsync(folder + ObjectNames.Index, 100);
        await destination.PlantAsync(TemporaryOf(folder + ObjectNames.FirstFilesVolume), 700);

        var usage = await _engine.Get<DestinationUsageMeter>().MeasureAsync(DestinationRef.Of(config.Config.Storage), CancellationToken.None);

        // The temporary takes room on the destination like any file: counted, and said apart.
        Assert.Equal(800, usage.UsedBytes);
        Assert.Equal(700, usage.TemporaryBytes);
        Assert.Equal(1, usage.TemporaryObjects);
    }

    /// <summary>The hidden name a local, SFTP or FTP put writes <paramref name="name"/> under until it renames it.</summary>
    private static string TemporaryOf(string name)
    {
        var slash = name.LastIndexOf('/');
        return name[..(slash + 1)] + "." + name[(slash + 1)..] + TempSuffix;
    }

    private async Task<BackupPlan> PlanOfAsync(BackupJob job)
    {
        var config = (await _engine.Catalog.Configs.GetAsync(job.ConfigId, CancellationToken.None))!;
        return new BackupPlan(job.Id, job.Id, job.ConfigId, config.Config, job.StartedAt!.Value);
    }

    private async Task<StoredBackupConfig> ConfigAsync(string kind, PlantedDestination destination)
    {
        var config = new BackupConfig
        {
            Name = "leftovers " + kind,
            Files = new FilesSource { Root = Path.Combine(_engine.LocalRoot, "no-site") },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { StorageId = destination.StorageId, Prefix = "site-" + Guid.NewGuid().ToString("N")[..8] },
        };
        return await _engine.Catalog.Configs.CreateAsync(config, CancellationToken.None);
    }

    /// <summary>A storage location of <paramref name="kind"/> in a folder of its own, and raw access to that folder.</summary>
    private async Task<PlantedDestination> DestinationAsync(string kind)
    {
        var folder = "left-" + Guid.NewGuid().ToString("N")[..8];
        var (settings, secrets, destination) = kind switch
        {
            StorageTypes.Local => (new Dictionary<string, object> { ["path"] = folder }, new Dictionary<string, SecretValue>(),
                (PlantedDestination)new LocalPlanted(Path.Combine(_engine.LocalRoot, folder))),
            StorageTypes.Sftp => (new Dictionary<string, object>
                {
                    ["host"] = SftpServer.Host, ["port"] = SftpServer.Port, ["user"] = SftpServer.User,
                    ["path"] = sftp.Folder + "/" + folder, ["hostKeyFingerprint"] = SftpServer.HostKey,
                },
                new Dictionary<string, SecretValue> { ["password"] = new() { Value = SftpServer.Password } },
                new SftpPlanted(sftp.Folder + "/" + folder)),
            _ => (new Dictionary<string, object>
                {
                    ["host"] = FtpTestServer.Host, ["port"] = FtpTestServer.Port, ["user"] = FtpTestServer.User,
                    ["path"] = ftp.Path + "/" + folder,
                },
                new Dictionary<string, SecretValue> { ["password"] = new() { Value = FtpTestServer.Password } },
                new FtpPlanted(ftp.Path + "/" + folder)),
        };
        var (location, errors) = await _engine.Get<StorageLocations>().CreateAsync(new StorageLocationInput
        {
            Name = "leftovers " + kind,
            Type = kind,
            Settings = settings.ToDictionary(s => s.Key, s => JsonSerializer.SerializeToElement(s.Value)),
            Secrets = secrets,
        }, CancellationToken.None);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        await destination.PrepareAsync();
        _planted.Add(destination);
        return destination with { StorageId = location!.Id };
    }

    /// <summary>A destination's folder reached around the store, as a crashed process left it.</summary>
    private abstract record PlantedDestination
    {
        public string StorageId { get; init; } = "";

        public abstract Task PrepareAsync();

        public abstract Task PlantAsync(string name, int size);

        public abstract Task<bool> ExistsAsync(string name);

        /// <summary>Removes what is left (the class fixtures' own cleanup sees only what a store lists).</summary>
        public virtual Task CleanUpAsync() => Task.CompletedTask;
    }

    private sealed record LocalPlanted(string Root) : PlantedDestination
    {
        public override Task PrepareAsync() => Task.CompletedTask;

        public override async Task PlantAsync(string name, int size)
        {
            var path = Path.Combine(Root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, new byte[size]);
        }

        public override Task<bool> ExistsAsync(string name) => Task.FromResult(File.Exists(Path.Combine(Root, name)));
    }

    private sealed record SftpPlanted(string Folder) : PlantedDestination
    {
        public override async Task PrepareAsync()
        {
            using var client = SftpServer.Connect();
            await client.CreateDirectoryAsync(Folder, CancellationToken.None);
        }

        public override Task PlantAsync(string name, int size) => SftpServer.PlantAsync(Folder + "/" + name, new byte[size]);

        public override Task<bool> ExistsAsync(string name)
        {
            using var client = SftpServer.Connect();
            return Task.FromResult(client.Exists(Folder + "/" + name));
        }
    }

    private sealed record FtpPlanted(string BaseFolder) : PlantedDestination
    {
        private readonly List<string> _names = [];
        private readonly HashSet<string> _folders = [];

        public override async Task PrepareAsync()
        {
            await using var connection = await FtpFolder.ConnectToBaseAsync();
            await connection.ExpectAsync("MKD " + BaseFolder, CancellationToken.None, 257);
        }

        public override Task PlantAsync(string name, int size)
        {
            var path = BaseFolder;
            foreach (var segment in name.Split('/')[..^1])
                _folders.Add(path += "/" + segment);
            _names.Add(name);
            return FtpFolder.PlantAsync(BaseFolder + "/" + name, new byte[size]);
        }

        public override async Task<bool> ExistsAsync(string name)
        {
            await using var connection = await FtpFolder.ConnectToBaseAsync();
            return (await connection.ExecuteAsync($"SIZE {BaseFolder}/{name}", CancellationToken.None)).Code == 213;
        }

        public override async Task CleanUpAsync()
        {
            await using var connection = await FtpFolder.ConnectToBaseAsync();
            foreach (var name in _names)
                await connection.ExecuteAsync($"DELE {BaseFolder}/{name}", CancellationToken.None);
            foreach (var folder in _folders.OrderByDescending(f => f.Length).Append(BaseFolder))
                await connection.ExecuteAsync("RMD " + folder, CancellationToken.None);
        }
    }
}
