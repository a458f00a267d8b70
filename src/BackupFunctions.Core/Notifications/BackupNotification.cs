using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// One event as every channel tells it: the webhook's JSON body (camelCase, nulls left out) and the facts of the
/// e-mail. <see cref="Id"/> is the same for every delivery of the same event (retries too), so a receiver can drop
/// duplicates by it.
/// </summary>
public sealed record BackupNotification
{
    /// <summary>Serializes the webhook body.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary><c>{jobId}:{event}</c> for a run, <c>{alertId}:{createdAt ticks}</c> for an alert.</summary>
    public required string Id { get; init; }

    /// <summary>One of <see cref="NotificationEvents"/>.</summary>
    public required string Event { get; init; }

    [JsonIgnore]
    public NotificationLevel Level { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }
    public required string ConfigId { get; init; }
    public string? ConfigName { get; init; }
    public string? JobId { get; init; }
    public string? BackupId { get; init; }

    /// <summary>The job's status word (<c>completed</c>, <c>failed</c>, …); null for an alert.</summary>
    public string? Status { get; init; }
    public string? Trigger { get; init; }
    public string? Error { get; init; }
    public IReadOnlyList<string>? Warnings { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public double? DurationSeconds { get; init; }

    /// <summary>Stored bytes of the backup (all objects of the primary copy).</summary>
    public long? SizeBytes { get; init; }
    public NotificationAlert? Alert { get; init; }
    public NotificationLinks Links { get; init; } = new();

    /// <summary>The exact bytes a webhook posts (and signs).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions);
}
