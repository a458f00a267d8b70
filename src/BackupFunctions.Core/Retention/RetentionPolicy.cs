using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Retention;

/// <summary>
/// How long backups are kept (a config's <c>retention</c>). The keep-* rules have the semantics of restic's
/// <c>forget --keep-daily/--keep-weekly/--keep-monthly/--keep-yearly</c>, with calendar buckets in the config's
/// time zone; 0 turns a rule off. A policy with no rule at all keeps everything.
/// </summary>
public sealed record RetentionPolicy
{
    public int KeepDaily { get; init; }
    public int KeepWeekly { get; init; }
    public int KeepMonthly { get; init; }
    public int KeepYearly { get; init; }

    /// <summary>At most this many backups are kept (the oldest unprotected ones go first); null: no cap.</summary>
    public int? MaxTotalBackups { get; init; }

    /// <summary>
    /// Everything made within this time before now is kept. Measured from the clock, not from the newest backup, so
    /// backups with forged future dates cannot push real ones out (count rules alone could be gamed that way).
    /// In JSON it is a <see cref="RetentionDuration"/> text such as <c>"30d"</c>.
    /// </summary>
    [JsonConverter(typeof(RetentionDurationJsonConverter))]
    public TimeSpan? KeepWithin { get; init; }

    /// <summary>False: the plan is only reported; true: it is applied after each backup.</summary>
    public bool AutoCleanup { get; init; }

    /// <summary>Whether any rule removes anything.</summary>
    [JsonIgnore]
    public bool HasRules => KeepDaily > 0 || KeepWeekly > 0 || KeepMonthly > 0 || KeepYearly > 0 || MaxTotalBackups is not null || KeepWithin is not null;
}
