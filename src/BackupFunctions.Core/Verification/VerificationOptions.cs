using Cronos;

namespace BackupFunctions.Core.Verification;

/// <summary>Scheduled deep verification (settings section <c>Verification</c>).</summary>
public sealed class VerificationOptions
{
    public const string SectionName = "Verification";

    private const string DeepScheduleSetting = SectionName + ":" + nameof(DeepSchedule);

    /// <summary>
    /// When scheduled deep verification runs: NCRONTAB with seconds, in UTC. Default daily at 03:00. Empty: never —
    /// for an app whose key identity may wrap but not unwrap, where every deep verification would fail.
    /// </summary>
    public string DeepSchedule { get; set; } = "0 0 3 * * *";

    /// <summary>How many copies (backup and destination) one scheduled run deep-verifies, least recently verified first.</summary>
    public int DeepPerRun { get; set; } = 3;

    /// <summary>
    /// True when <see cref="DeepSchedule"/> has an occurrence in the minute that ends at <paramref name="tick"/> (cut to
    /// the minute): the timer ticks every minute and starts a run on the tick that follows each occurrence. A tick that
    /// fires a few seconds late still covers its own minute; a tick missed while the app was down is not made up.
    /// </summary>
    public bool IsDeepRunDue(DateTimeOffset tick)
    {
        if (DeepSchedule.Length == 0)
            return false;
        var end = new DateTimeOffset(tick.UtcDateTime.Ticks - tick.UtcDateTime.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var next = CronExpression.Parse(DeepSchedule, CronFormat.IncludeSeconds).GetNextOccurrence(end.AddMinutes(-1), TimeZoneInfo.Utc);
        return next is { } occurrence && occurrence <= end;
    }

    /// <summary>Why the options are not usable, or null when they are.</summary>
    public string? Validate()
    {
        if (DeepPerRun is < 1 or > 100)
            return $"{SectionName}:{nameof(DeepPerRun)} must be 1-100 (it is {DeepPerRun}).";
        if (DeepSchedule.Length == 0)
            return null;
        try
        {
            CronExpression.Parse(DeepSchedule, CronFormat.IncludeSeconds);
            return null;
        }
        catch (CronFormatException e)
        {
            return $"{DeepScheduleSetting} '{DeepSchedule}' is not an NCRONTAB expression with six fields (second minute hour day month day-of-week): {e.Message}";
        }
    }
}
