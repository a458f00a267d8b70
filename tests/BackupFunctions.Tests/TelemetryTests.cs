using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace BackupFunctions.Tests;

/// <summary>The app's OpenTelemetry pipeline carries the engine's metrics (what Application Insights receives).</summary>
public sealed class TelemetryTests
{
    [Fact]
    public void The_pipeline_exports_the_backup_metrics_split_by_config()
    {
        var exported = new List<Metric>();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddMetrics();
        services.AddSingleton<BackupMetrics>();
        services.AddBackupTelemetry(configuration).WithMetrics(metrics => metrics.AddInMemoryExporter(exported));
        using var provider = services.BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();

        provider.GetRequiredService<BackupMetrics>().RunFinished(new BackupJob
        {
            Id = "job-1",
            ConfigId = "cfg-shop",
            Trigger = "manual",
            Status = JobStatus.Failed,
            CreatedAt = DateTimeOffset.UnixEpoch,
            DurationSeconds = 3,
        }, "Shop");
        Assert.True(meterProvider.ForceFlush(5_000));

        // A meter listener sees every meter of its name in the process: backups that other tests run meanwhile are
        // exported here too, so only this config's points count.
        var runs = Assert.Single(exported, m => m.Name == "backup.runs");
        var points = new List<(long Sum, Dictionary<string, object?> Tags)>();
        foreach (ref readonly var point in runs.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
                tags[tag.Key] = tag.Value;
            if (Equals(tags.GetValueOrDefault("config.id"), "cfg-shop"))
                points.Add((point.GetSumLong(), tags));
        }
        var failed = Assert.Single(points);
        Assert.Equal(1, failed.Sum);
        Assert.Equal("failed", failed.Tags["outcome"]);
        Assert.Equal("Shop", failed.Tags["config.name"]);
        Assert.Contains(exported, m => m.Name == "backup.duration");
    }

    [Fact]
    public void Without_a_connection_string_nothing_is_sent_to_Azure_Monitor()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection();
        services.AddBackupTelemetry(configuration);
        Assert.DoesNotContain(services, d => d.ServiceType.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true
            || d.ImplementationType?.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void With_a_connection_string_the_Azure_Monitor_exporter_is_registered()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [AppTelemetry.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        }).Build();
        var services = new ServiceCollection();
        services.AddBackupTelemetry(configuration);
        Assert.Contains(services, d => d.ServiceType.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true
            || d.ImplementationType?.FullName?.Contains("AzureMonitor", StringComparison.Ordinal) == true);
    }
}
