using System.Diagnostics;
using System.Diagnostics.Metrics;
using BackupFunctions.Core.Health;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>
/// <c>restore.drill.duration</c> (s): the measured time to restore of each finished drill, tagged <c>config.id</c>,
/// <c>config.name</c> and <c>result</c> (passed|failed). Same meter as <see cref="BackupMetrics"/>.
/// </summary>
public sealed class RestoreDrillMetrics
{
    private readonly Histogram<double> _duration;

    public RestoreDrillMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _duration = meterFactory.Create(BackupMetrics.MeterName)
            .CreateHistogram<double>("restore.drill.duration", "s", "Time a restore drill took to restore its backup (the RTO).");
    }

    public void DrillFinished(string configId, string configName, string result, double seconds)
        => _duration.Record(seconds, new TagList { { "config.id", configId }, { "config.name", configName }, { "result", result } });
}
