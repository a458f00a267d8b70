using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Format;

/// <summary>
/// A restore-drill check as run on the live database at backup time, in the manifest under <c>database.checks</c>
/// (docs/format.md). The answer itself is never stored (the manifest is plain JSON): only its row count and a keyed
/// digest (<see cref="DrillCheckDigest"/>). Exactly one of <see cref="Digest"/> and <see cref="Error"/> is set.
/// </summary>
public sealed record RecordedDrillCheck
{
    public required string Name { get; init; }

    /// <summary>SHA-256 (hex) of the query's UTF-8 text: a drill compares only answers of the same query.</summary>
    public required string Query { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Rows { get; init; }

    /// <summary><c>hmac-sha256:</c> or, for a backup without encryption, <c>sha256:</c> and base64.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Digest { get; init; }

    /// <summary>The SQLSTATE the query failed with (never its message, which may quote data).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
