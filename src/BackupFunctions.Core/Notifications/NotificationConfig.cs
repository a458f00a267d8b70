namespace BackupFunctions.Core.Notifications;

/// <summary>Who hears about a config's runs, and about which outcomes (a config's <c>notifications</c>).</summary>
public sealed record NotificationConfig
{
    /// <summary>Tell about runs that completed cleanly.</summary>
    public bool OnSuccess { get; init; }

    /// <summary>Tell about runs that failed (or were cancelled).</summary>
    public bool OnFailure { get; init; } = true;

    /// <summary>Tell about runs that completed with warnings (a replica or a verification failed).</summary>
    public bool OnWarning { get; init; } = true;
}
