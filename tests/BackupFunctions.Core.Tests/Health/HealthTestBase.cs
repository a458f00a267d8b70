using System.Security.Cryptography;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>A catalog on Azurite with its own tables, a fake clock, and local destinations in a throwaway folder.</summary>
public abstract class HealthTestBase : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 2, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly string _prefix = "t" + RandomNumberGenerator.GetHexString(10, lowercase: true);
    private readonly TableServiceClient _service = new(TestEnvironment.AzuriteConnectionString);
    private readonly TempFolder _folder = new("bf-health-");
    private int _jobs;

    protected HealthTestBase()
    {
        Time = new FakeTimeProvider(T0);
        Catalog = new BackupCatalog(_service, _prefix, Time);
        var storageOptions = Options.Create(new StorageOptions { LocalRoot = _folder.Path, Retries = 0 });
        Stores = new StorageLocations(Catalog, new BackupStoreFactory(storageOptions, Time), new SecretSealer("", TestSecretReferences.None),
            new StorageProbe(Time), Core.Network.NetworkPolicy.InternalAllowed);
        Usage = new StorageUsageTable(_service, _prefix);
        Monitor = new AlertMonitor(Catalog, new DestinationUsageMeter(Stores, storageOptions, Time), Usage,
            Options.Create(new AlertOptions()), Time, NullLogger<AlertMonitor>.Instance);
        Reader = new HealthReader(Catalog, Usage, Time);
        Failures = new FailureAlerts(Catalog, Time);
    }

    protected FakeTimeProvider Time { get; }
    protected BackupCatalog Catalog { get; }
    protected StorageLocations Stores { get; }
    protected StorageUsageTable Usage { get; }
    protected AlertMonitor Monitor { get; }
    protected HealthReader Reader { get; }
    protected FailureAlerts Failures { get; }

    /// <summary>The folder of a local destination (relative to the local root).</summary>
    protected string LocalFolder(string path) => _folder.Combine(path);

    public Task InitializeAsync() => Catalog.EnsureCreatedAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        foreach (var table in new[] { "BackupConfigs", "BackupStorage", "BackupJobs", "Backups", "BackupAlerts", "BackupHealth" })
            await _service.GetTableClient(_prefix + table).DeleteAsync();
        _folder.Dispose();
    }

    protected Task<StoredBackupConfig> ConfigAsync(string frequency, StorageDestination storage, string name = "site")
        => Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = name,
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule
            {
                Frequency = frequency,
                Minute = frequency == "hourly" ? 0 : null,
                Time = frequency is "manual" or "hourly" ? null : "02:00",
                DayOfWeek = frequency == "weekly" ? "sunday" : null,
                DayOfMonth = frequency == "monthly" ? 1 : null,
            },
            Storage = storage,
        }, default);

    /// <summary>A finished run of the config, newer than every run before it.</summary>
    protected async Task<BackupJob> RunAsync(string configId, JobStatus status, string? error = null)
    {
        var now = Time.GetUtcNow();
        var job = new BackupJob
        {
            Id = JobIds.ForManual(configId, now, $"r{++_jobs:D3}"),
            ConfigId = configId,
            Trigger = "manual",
            Status = status,
            CreatedAt = now,
            StartedAt = now,
            CompletedAt = now.AddMinutes(2),
            DurationSeconds = 120,
            Error = error,
        };
        job = job with { BackupId = AlertRules.IsSuccess(status) ? job.Id : null };
        Assert.True(await Catalog.Jobs.TryCreateAsync(job, default));
        Time.Advance(TimeSpan.FromMinutes(5));
        return job;
    }
}
