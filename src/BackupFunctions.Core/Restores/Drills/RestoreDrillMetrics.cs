using System.Diagnostics;
using System.Diagnostics.Metrics;
using BackupFunctions.Core.Health;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>
/// <c>restore.drill.duration</c> (s): the measured time to restore of each finished drill, tagged <c>config.id</c>,
/// <c>config.name</c> and <c>result</c> (passed|failed); <c>restore.drill.runs</c>: every finished drill, tagged the
/// same, also one that failed before it restored anything (no duration). Same meter as <see cref="BackupMetrics"/>.
/// </summary>
public sealed class RestoreDrillMetrics
{
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _runs;

    public RestoreDrillMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(BackupMetrics.MeterName);
        _duration = meter.CreateHistogram<double>("restore.drill.duration", "s", "Time a restore drill took to restore its backup (the RTO).");
        // The Azure Monitor alert on failed drills counts these: a drill that failed before restoring has no duration.
        _runs = meter.CreateCounter<long>("restore.drill.runs", "{drill}", "Finished restore drills, by result.");
    }

    public void DrillRecorded(string configId, string configName, string result)
        => _runs.Add(1, new TagList { { "config.id", configId }, { "config.name", configName }, { "result", result } });

    public void DrillFinished(string configId, string configName, string result, double seconds)
        => _duration.Record(seconds, new TagList { { "config.id", configId }, { "config.name", configName }, { "result", result } });
}
