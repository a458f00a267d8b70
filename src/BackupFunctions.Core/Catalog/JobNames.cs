using System.Globalization;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>The seed's job words: a job's <c>name</c> (config name and date) and the <c>type</c> it is created with.</summary>
public static class JobNames
{
    /// <summary>Who started a scheduled run (<see cref="BackupJob.CreatedBy"/>).</summary>
    public const string Schedule = "schedule";

    /// <summary><c>&lt;config name&gt; yyyy-MM-dd HH:mm UTC</c>, at the slot of a scheduled run or the creation of others.</summary>
    public static string Of(string configName, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(configName);
        return $"{configName} {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";
    }

    /// <summary>
    /// What a run of <paramref name="config"/> is expected to make when it is created; the run sets the final type (an
    /// incremental config makes a full backup when it has no usable base).
    /// </summary>
    public static string TypeOf(BackupConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Type is BackupTypes.Incremental ? BackupTypes.Incremental
            : BackupTypes.OfParts(config.WithPartsOfType().Database is not null, config.WithPartsOfType().Files is not null);
    }
}
