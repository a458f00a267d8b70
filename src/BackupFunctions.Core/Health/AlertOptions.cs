namespace BackupFunctions.Core.Health;

/// <summary>Settings of the alert rules (section <c>Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Added to 1.5 × the schedule interval before a config counts as overdue (a run may start late and take a while).</summary>
    public int OverdueGraceMinutes { get; set; } = 60;

    public TimeSpan OverdueGrace => TimeSpan.FromMinutes(OverdueGraceMinutes);
}
