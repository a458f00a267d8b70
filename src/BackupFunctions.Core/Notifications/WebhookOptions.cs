namespace BackupFunctions.Core.Notifications;

/// <summary>Delivery of webhooks (settings <c>Notifications:Webhooks:*</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>Per attempt: a receiver that has not answered by then counts as down (1–120).</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>Further attempts after a network error, a timeout, 429 or 5xx (0–10); never after another 4xx.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Wait before the first retry, doubled for each next one with jitter (more than 0, at most 60).</summary>
    public double RetryDelaySeconds { get; set; } = 2;
}
