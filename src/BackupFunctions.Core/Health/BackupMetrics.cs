using System.Diagnostics;
using System.Diagnostics.Metrics;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>
/// The service's metrics (meter <see cref="MeterName"/>), exported by whatever OpenTelemetry pipeline the host sets up
/// (Application Insights in Azure: the <c>customMetrics</c> table). Every measurement carries <c>config.id</c> and
/// <c>config.name</c>, so dashboards and alert rules can split by config.
/// </summary>
/// <remarks>
/// Instruments: <c>backup.runs</c> (count of finished runs, tagged <c>outcome</c> = completed, completed_with_warnings,
/// failed, cancelled, skipped, and <c>trigger</c>), <c>backup.duration</c> (s, finished runs), <c>backup.size</c>
/// (stored bytes, recorded backups), <c>backup.throughput</c> (source bytes per second, recorded backups) and
/// <c>backup.verifications</c> (tagged <c>level</c> quick|deep and <c>result</c> ok|failed); for restores
/// <c>restore.runs</c> (count of finished restore jobs, tagged <c>outcome</c> = completed, failed, cancelled,
/// rolled_back) and <c>restore.duration</c> (s, finished restore jobs that started). The hourly alert evaluation
/// records <c>backup.since_success</c> (h since the last successful backup, or since the config was created; enabled
/// configs) and <c>storage.used</c> (bytes used at each destination of a config, tagged <c>destination</c>): the
/// Azure Monitor rules and workbook (infra/bicep/monitoring) read them, so a config that stopped running entirely is
/// still seen as overdue.
/// </remarks>
public sealed class BackupMetrics
{
    public const string MeterName = "BackupFunctions";

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _size;
    private readonly Histogram<double> _throughput;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _restoreRuns;
    private readonly Histogram<double> _restoreDuration;
    private readonly Histogram<double> _sinceSuccess;
    private readonly Histogram<long> _storageUsed;

    public BackupMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _runs = meter.CreateCounter<long>("backup.runs", "{run}", "Finished backup runs, by outcome.");
        _duration = meter.CreateHistogram<double>("backup.duration", "s", "Wall time of a finished backup run.");
        _size = meter.CreateHistogram<long>("backup.size", "By", "Bytes stored by a recorded backup (all parts and the manifest).");
        _throughput = meter.CreateHistogram<double>("backup.throughput", "By/s", "Source bytes (dump + files) per second of a recorded backup.");
        _verifications = meter.CreateCounter<long>("backup.verifications", "{verification}", "Verifications of backup copies, by level and result.");
        _restoreRuns = meter.CreateCounter<long>("restore.runs", "{run}", "Finished restore jobs, by outcome.");
        _restoreDuration = meter.CreateHistogram<double>("restore.duration", "s", "Wall time of a finished restore job.");
        _sinceSuccess = meter.CreateHistogram<double>("backup.since_success", "h", "Hours since a config's last successful backup (or its creation), per alert evaluation.");
        _storageUsed = meter.CreateHistogram<long>("storage.used", "By", "Bytes used at a destination of a config, per alert evaluation.");
    }

    /// <summary>A run ended (any outcome). Pending or running jobs are ignored: they have not ended.</summary>
    public void RunFinished(BackupJob job, string configName)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Status is JobStatus.Pending or JobStatus.Running)
            return;
        var outcome = JobStatusWords.Of(job.Status);
        _runs.Add(1, Tags(job.ConfigId, configName, ("outcome", outcome), ("trigger", job.Trigger)));
        if (job.DurationSeconds is { } seconds)
            _duration.Record(seconds, Tags(job.ConfigId, configName, ("outcome", outcome)));
    }

    /// <summary>A backup was recorded: its stored size and how fast its source was read.</summary>
    public void BackupRecorded(BackupRecord backup, string configName)
    {
        ArgumentNullException.ThrowIfNull(backup);
        _size.Record(backup.SizeBytes, Tags(backup.ConfigId, configName));
        if (backup.Statistics.DurationSeconds > 0)
            _throughput.Record(backup.Statistics.OriginalBytes / backup.Statistics.DurationSeconds, Tags(backup.ConfigId, configName));
    }

    /// <summary>One copy of a backup was verified.</summary>
    public void CopyVerified(string configId, string configName, string level, bool ok)
        => _verifications.Add(1, Tags(configId, configName, ("level", level), ("result", ok ? "ok" : "failed")));

    /// <summary>A restore job ended (any outcome). Pending or running jobs are ignored.</summary>
    public void RestoreFinished(RestoreJob job, string configName)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.IsFinished)
            return;
        var outcome = RestoreJobStatusWords.Of(job.Status);
        _restoreRuns.Add(1, Tags(job.ConfigId, configName, ("outcome", outcome)));
        if (job is { StartedAt: { } started, CompletedAt: { } completed })
            _restoreDuration.Record(Math.Max(0, (completed - started).TotalSeconds), Tags(job.ConfigId, configName, ("outcome", outcome)));
    }

    /// <summary>The alert evaluation looked at an enabled config: hours since its last success (or creation).</summary>
    public void ConfigEvaluated(string configId, string configName, TimeSpan sinceSuccess)
        => _sinceSuccess.Record(Math.Max(0, sinceSuccess.TotalHours), Tags(configId, configName));

    /// <summary>The alert evaluation measured one destination of a config.</summary>
    public void StorageMeasured(string configId, string configName, string destination, long usedBytes)
        => _storageUsed.Record(usedBytes, Tags(configId, configName, ("destination", destination)));

    private static TagList Tags(string configId, string configName, params (string Key, string Value)[] more)
    {
        var tags = new TagList { { "config.id", configId }, { "config.name", configName } };
        foreach (var (key, value) in more)
            tags.Add(key, value);
        return tags;
    }
}
