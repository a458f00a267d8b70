using System.Text.Json.Serialization;
using BackupFunctions.Core.Retention;

namespace BackupFunctions.Http;

/// <summary>
/// The answer to <c>GET /api/backup-configs/{id}/cleanup</c>: the last cleanup applied through the API — its
/// <see cref="Status"/> (<c>none</c> with a <see cref="Message"/> when there was none) and, once completed, its report.
/// </summary>
public sealed record CleanupView(string Status)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? StartedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? UpdatedAt { get; init; }

    public string? Error { get; init; }

    public RetentionReport? Report { get; init; }
}
