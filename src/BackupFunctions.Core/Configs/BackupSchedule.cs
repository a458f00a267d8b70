namespace BackupFunctions.Core.Configs;

/// <summary>When a config runs by itself.</summary>
public sealed record BackupSchedule
{
    /// <summary><c>manual</c> or <c>daily</c>.</summary>
    public required string Frequency { get; init; }

    /// <summary>Local time of day, <c>HH:MM</c> (24 h), for <c>daily</c>.</summary>
    public string? Time { get; init; }

    /// <summary>IANA time zone id, e.g. <c>Europe/Berlin</c>.</summary>
    public string TimeZone { get; init; } = "UTC";
}
