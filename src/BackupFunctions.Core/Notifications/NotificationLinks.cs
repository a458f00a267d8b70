namespace BackupFunctions.Core.Notifications;

/// <summary>Where the API shows what an event is about (absolute when Notifications:ApiBaseUrl is set, else paths).</summary>
public sealed record NotificationLinks
{
    public string? Config { get; init; }
    public string? Job { get; init; }
    public string? Backup { get; init; }
    public string? Alert { get; init; }
}
