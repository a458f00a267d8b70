using System.Diagnostics.Metrics;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Health;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Core.Tests.Health;

public sealed class BackupMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = [];

    public BackupMetricsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Only this test's meter: other tests in the process create meters of the same name through other factories.
            if (instrument.Meter.Name == BackupMetrics.MeterName && instrument.Meter.Scope == factory)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
        Metrics = new BackupMetrics(factory);
    }

    private BackupMetrics Metrics { get; }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (var tag in tags)
            copy[tag.Key] = tag.Value?.ToString();
        lock (_measurements)
            _measurements.Add((instrument.Name, value, copy));
    }

    [Theory]
    [InlineData(RestoreJobStatus.Completed, "completed", true)]
    [InlineData(RestoreJobStatus.RolledBack, "rolled_back", true)]
    [InlineData(RestoreJobStatus.Failed, "failed", true)]
    [InlineData(RestoreJobStatus.Cancelled, "cancelled", false)]
    public void A_finished_restore_counts_once_with_its_outcome_and_its_duration_when_it_started(RestoreJobStatus status, string outcome, bool started)
    {
        var created = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var job = new RestoreJob
        {
            Id = "rst-1", ConfigId = "cfg-1", BackupId = "b-1", Status = status, CreatedAt = created,
            StartedAt = started ? created.AddSeconds(1) : null, CompletedAt = created.AddSeconds(31),
        };

        Metrics.RestoreFinished(job, "Shop");
        Metrics.RestoreFinished(job with { Status = RestoreJobStatus.Running }, "Shop");

        var run = Assert.Single(_measurements, m => m.Instrument == "restore.runs");
        Assert.Equal(1, run.Value);
        Assert.Equal(outcome, run.Tags["outcome"]);
        Assert.Equal("cfg-1", run.Tags["config.id"]);
        Assert.Equal("Shop", run.Tags["config.name"]);
        var durations = _measurements.Where(m => m.Instrument == "restore.duration").ToList();
        if (started)
            Assert.Equal(30, Assert.Single(durations).Value);
        else
            Assert.Empty(durations);
    }

    [Theory]
    [InlineData(JobStatus.Completed, "completed")]
    [InlineData(JobStatus.CompletedWithWarnings, "completed_with_warnings")]
    [InlineData(JobStatus.Failed, "failed")]
    [InlineData(JobStatus.Cancelled, "cancelled")]
    [InlineData(JobStatus.Skipped, "skipped")]
    public void A_finished_run_counts_once_with_its_outcome_and_config(JobStatus status, string outcome)
    {
        Metrics.RunFinished(Job(status, duration: status == JobStatus.Skipped ? null : 42.5), "Shop");

        var run = Assert.Single(_measurements, m => m.Instrument == "backup.runs");
        Assert.Equal(1, run.Value);
        Assert.Equal(outcome, run.Tags["outcome"]);
        Assert.Equal("cfg-1", run.Tags["config.id"]);
        Assert.Equal("Shop", run.Tags["config.name"]);
        Assert.Equal("schedule", run.Tags["trigger"]);
        var durations = _measurements.Where(m => m.Instrument == "backup.duration").ToList();
        if (status == JobStatus.Skipped)
            Assert.Empty(durations);
        else
            Assert.Equal(42.5, Assert.Single(durations).Value);
    }

    [Theory]
    [InlineData(JobStatus.Pending)]
    [InlineData(JobStatus.Running)]
    public void A_run_that_has_not_ended_is_not_counted(JobStatus status)
    {
        Metrics.RunFinished(Job(status, duration: null), "Shop");
        Assert.Empty(_measurements);
    }

    [Fact]
    public void A_recorded_backup_gives_its_stored_size_and_source_throughput()
    {
        Metrics.BackupRecorded(Backup(sizeBytes: 5_000, originalBytes: 80_000, seconds: 4), "Shop");

        Assert.Equal(5_000, Assert.Single(_measurements, m => m.Instrument == "backup.size").Value);
        Assert.Equal(20_000, Assert.Single(_measurements, m => m.Instrument == "backup.throughput").Value);
    }

    [Fact]
    public void A_backup_without_a_duration_gives_no_throughput_rather_than_infinity()
    {
        Metrics.BackupRecorded(Backup(sizeBytes: 5_000, originalBytes: 80_000, seconds: 0), "Shop");

        Assert.Single(_measurements, m => m.Instrument == "backup.size");
        Assert.DoesNotContain(_measurements, m => m.Instrument == "backup.throughput");
    }

    [Fact]
    public void Verifications_are_counted_by_level_and_result()
    {
        Metrics.CopyVerified("cfg-1", "Shop", "deep", ok: false);

        var verification = Assert.Single(_measurements);
        Assert.Equal("backup.verifications", verification.Instrument);
        Assert.Equal("deep", verification.Tags["level"]);
        Assert.Equal("failed", verification.Tags["result"]);
    }

    private static BackupJob Job(JobStatus status, double? duration) => new()
    {
        Id = "job-1",
        ConfigId = "cfg-1",
        Trigger = "schedule",
        Status = status,
        CreatedAt = DateTimeOffset.UnixEpoch,
        DurationSeconds = duration,
    };

    [Fact]
    public void The_alert_evaluation_records_hours_since_success_and_storage_used_per_config()
    {
        Metrics.ConfigEvaluated("cfg-1", "Shop", TimeSpan.FromMinutes(90));
        Metrics.ConfigEvaluated("cfg-2", "Blog", TimeSpan.FromMinutes(-5));
        Metrics.StorageMeasured("cfg-1", "Shop", "storage:offsite", 123_456);

        var since = _measurements.Where(m => m.Instrument == "backup.since_success").ToList();
        Assert.Equal([("cfg-1", "Shop", 1.5), ("cfg-2", "Blog", 0.0)], since.Select(m => (m.Tags["config.id"], m.Tags["config.name"], m.Value)));
        var used = Assert.Single(_measurements, m => m.Instrument == "storage.used");
        Assert.Equal(123_456, used.Value);
        Assert.Equal(("cfg-1", "Shop", "storage:offsite"), (used.Tags["config.id"], used.Tags["config.name"], used.Tags["destination"]));
    }

    private static BackupRecord Backup(long sizeBytes, long originalBytes, double seconds) => new()
    {
        Id = "job-1",
        ConfigId = "cfg-1",
        JobId = "job-1",
        CreatedAt = DateTimeOffset.UnixEpoch,
        CompletedAt = DateTimeOffset.UnixEpoch,
        SizeBytes = sizeBytes,
        Checksum = "00",
        CompressionRatio = 1,
        Compression = "zstd",
        Encryption = "aes-256-gcm",
        Statistics = new BackupStatistics { OriginalBytes = originalBytes, DurationSeconds = seconds },
        Locations = [],
    };

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
