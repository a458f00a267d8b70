using System.Text.Json.Serialization;

namespace BackupFunctions.Http;

/// <summary>
/// The answer to <c>POST /api/backups/{id}/replicate</c>: the copies being retried (202), or none and a
/// <see cref="Message"/> saying why (200).
/// </summary>
public sealed record CopyRetryAnswer(string BackupId, IReadOnlyList<string> Retrying)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Message { get; init; }
}
