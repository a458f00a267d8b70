namespace BackupFunctions.Core.Notifications;

/// <summary>What the notifier did about one job or alert: the event, and each channel's delivery (empty when nothing was due).</summary>
public sealed record NotificationResult
{
    /// <summary>One of <see cref="NotificationEvents"/>; null when the job's state is no event (still running, skipped) or it could not be read.</summary>
    public string? Event { get; init; }

    /// <summary>Why nothing was sent (the config's flags, no channels, already sent, …); null when channels were tried.</summary>
    public string? NotSentBecause { get; init; }

    public IReadOnlyList<NotificationDelivery> Deliveries { get; init; } = [];

    /// <summary>Every channel tried took the event.</summary>
    public bool AllDelivered => Deliveries.All(d => d.Delivered);

    public static NotificationResult NotSent(string? @event, string because) => new() { Event = @event, NotSentBecause = because };
}
