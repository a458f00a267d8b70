using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Retention;

/// <summary>
/// The text form of <see cref="RetentionPolicy.KeepWithin"/>, restic's duration syntax: whole numbers with the units
/// <c>y</c> (365 days), <c>m</c> (30 days), <c>d</c> (days) and <c>h</c> (hours), each at most once and in that
/// order, e.g. <c>1y6m3d</c>, <c>30d</c>, <c>36h</c>. Unlike restic, the span is fixed (a year is always 365 days), because
/// it is measured back from the clock, not from a calendar date.
/// </summary>
public static partial class RetentionDuration
{
    /// <summary>Longest accepted span: beyond a century a rule keeps everything anyway.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36500);

    public const string FormatHelp = "a duration such as 30d, 36h or 1y6m3d (units y = 365 days, m = 30 days, d, h; each at most once, in that order)";

    /// <summary>Parses the text strictly (no spaces, signs, fractions or other units); false when it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (text is null)
            return false;
        var match = Shape().Match(text);
        if (!match.Success || text.Length == 0)
            return false;
        long hours = 0;
        foreach (var (group, unitHours) in new[] { ("y", 365L * 24), ("m", 30L * 24), ("d", 24L), ("h", 1L) })
        {
            if (!match.Groups[group].Success)
                continue;
            // Digits only (the pattern), at most 7 of them: no overflow below.
            hours += long.Parse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture) * unitHours;
        }
        value = TimeSpan.FromHours(hours);
        return true;
    }

    /// <summary>
    /// The canonical text of a span: whole years as <c>y</c>, otherwise days and hours (<c>1y6m3d</c> gives <c>548d</c>,
    /// <c>36h</c> gives <c>1d12h</c>), so that <c>m</c> is never misread as minutes; parts of an hour round up.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
        var hours = (long)Math.Ceiling(value.TotalHours);
        var (days, rest) = Math.DivRem(hours, 24);
        var text = new StringBuilder();
        if (days > 0 && days % 365 == 0)
            text.Append(CultureInfo.InvariantCulture, $"{days / 365}y");
        else if (days > 0)
            text.Append(CultureInfo.InvariantCulture, $"{days}d");
        if (rest > 0 || days == 0)
            text.Append(CultureInfo.InvariantCulture, $"{rest}h");
        return text.ToString();
    }

    [GeneratedRegex(@"^(?:(?<y>[0-9]{1,7})y)?(?:(?<m>[0-9]{1,7})m)?(?:(?<d>[0-9]{1,7})d)?(?:(?<h>[0-9]{1,7})h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
