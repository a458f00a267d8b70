using System.Security.Cryptography;
using Azure.Data.Tables;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// The engine as the app composes it (AddBackupEngine), on Azurite with its own table prefix, a throwaway local store
/// root and key file, and a fake clock. Tables are deleted on dispose. <paramref name="settings"/> override the defaults.
/// </summary>
public sealed class JobEngine(IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    private readonly TempFolder _folder = new("bf-jobs-");
    private ServiceProvider _services = null!;

    public string Prefix { get; } = "t" + RandomNumberGenerator.GetHexString(10, lowercase: true);

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public string LocalRoot => _folder.Combine("stores");

    /// <summary>RestoreDrills:ScratchRoot: where restore drills put their scratch folders.</summary>
    public string DrillScratchRoot => _folder.Combine("drills");

    public BackupCatalog Catalog => _services.GetRequiredService<BackupCatalog>();

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(LocalRoot);
        var keyFile = _folder.Combine("backup.key");
        LocalKeyFileKek.Create(keyFile);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Catalog:ConnectionString"] = TestEnvironment.AzuriteConnectionString,
            ["Catalog:TablePrefix"] = Prefix,
            ["Storage:LocalRoot"] = LocalRoot,
            ["Storage:Retries"] = "0",
            ["Keys:LocalKeyFile"] = keyFile,
            ["Jobs:ProgressIntervalSeconds"] = "2",
            ["Network:AllowedRanges"] = "127.0.0.0/8",
            ["Postgres:SslRootCertFile"] = TestEnvironment.PostgresRootCert,
            ["Files:AllowedRoots"] = _folder.Combine("site"),
            ["Jobs:StaleAfterMinutes"] = "30",
            ["RestoreDrills:ScratchRoot"] = DrillScratchRoot,
            // Storage locations with sealed secrets (SFTP and FTP passwords).
            ["Secrets:SealingKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddLogging();
        services.AddBackupEngine(configuration);
        _services = services.BuildServiceProvider();
        await Catalog.EnsureCreatedAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        var tables = new TableServiceClient(TestEnvironment.AzuriteConnectionString);
        foreach (var name in new[] { "BackupConfigs", "BackupStorage", "BackupJobs", "Backups", "BackupAlerts", "RestoreJobs", RestoreDrillsTable.TableName, JobLogs.TableName })
            await tables.DeleteTableAsync(Prefix + name);
        await _services.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>A config with a local primary and one local replica, stored in the catalog.</summary>
    public async Task<StoredBackupConfig> CreateConfigAsync(string name)
    {
        var config = new BackupConfig
        {
            Name = name,
            Files = new FilesSource { Root = _folder.Combine("site") },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = name + "-primary", Prefix = "site" },
            Replicas = [new StorageDestination { Type = "local", Path = name + "-replica", Prefix = "site" }],
        };
        return await Catalog.Configs.CreateAsync(config, CancellationToken.None);
    }

    /// <summary>A job of <paramref name="configId"/> in <paramref name="status"/>, last updated <paramref name="idle"/> ago.</summary>
    public async Task<BackupJob> CreateJobAsync(string configId, JobStatus status, TimeSpan idle, bool started = true)
    {
        var now = Clock.GetUtcNow();
        var job = new BackupJob
        {
            Id = JobIds.ForManual(configId, now - idle, RandomNumberGenerator.GetHexString(8, lowercase: true)),
            ConfigId = configId,
            Trigger = "manual",
            Status = status,
            CreatedAt = now - idle - TimeSpan.FromSeconds(5),
            StartedAt = started ? now - idle - TimeSpan.FromSeconds(4) : null,
            LastUpdatedAt = now - idle,
            Progress = new JobProgress { TotalSteps = BackupSteps.Total },
        };
        Assert.True(await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None));
        return job;
    }

    /// <summary>Writes what a run leaves behind (parts and a manifest) in every copy of the job's backup folder.</summary>
    public IReadOnlyList<string> WritePartialBackup(StoredBackupConfig config, string jobId)
    {
        var written = new List<string>();
        foreach (var destination in new[] { config.Config.Storage }.Concat(config.Config.Replicas))
        {
            var folder = Path.Combine(LocalRoot, destination.Path!, ObjectNames.BackupFolder(destination.Prefix, jobId));
            Directory.CreateDirectory(folder);
            foreach (var name in new[] { ObjectNames.FirstFilesVolume, ObjectNames.Index, ObjectNames.Manifest })
            {
                File.WriteAllText(Path.Combine(folder, name), "partial");
                written.Add(Path.Combine(folder, name));
            }
        }
        return written;
    }

    /// <summary>Every file left under the config's destinations.</summary>
    public IReadOnlyList<string> FilesOf(StoredBackupConfig config)
        => [.. new[] { config.Config.Storage }.Concat(config.Config.Replicas)
            .Select(d => Path.Combine(LocalRoot, d.Path!))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))];
}
