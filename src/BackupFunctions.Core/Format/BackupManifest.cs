using System.Text.Json.Serialization;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The commit point of a backup (<c>manifest.json</c>): it lists every object with its stored size and hash, the
/// key envelope, how parts are encoded, and what was backed up. Written last; a backup without one is garbage.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>What a new manifest says unless its writer sets another. Readers refuse versions they do not know.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>
    /// The version that allows more than one files volume, a part's own <see cref="StoredPart.Compression"/> and
    /// references to other backups (docs/format.md, "Versions"): a version-1 reader would restore only the first volume,
    /// misread a part, or miss the files an incremental backup keeps elsewhere.
    /// </summary>
    public const int VolumesFormatVersion = 2;

    /// <summary>Whether this version of BackupFunctions reads manifests of <paramref name="formatVersion"/> (1 and 2).</summary>
    public static bool IsReadable(int formatVersion) => formatVersion is CurrentFormatVersion or VolumesFormatVersion;

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required string BackupId { get; init; }
    public required string ConfigId { get; init; }
    /// <summary>One of <see cref="BackupTypes"/>: <c>full</c>, <c>incremental</c>, <c>database</c>, <c>files</c>.</summary>
    public string Type { get; init; } = BackupTypes.Full;

    /// <summary>
    /// Format version 2, incremental backups: the backup whose file index this one was compared with (and which it may
    /// reference); null (absent from the JSON) otherwise.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BaseBackupId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required string Compression { get; init; }
    public required int CompressionLevel { get; init; }
    public required string Encryption { get; init; }
    public required int ChunkSize { get; init; }
    /// <summary>The wrapped data key; null exactly when <see cref="Encryption"/> is <c>none</c> (there is no data key).</summary>
    public required KeyEnvelope? Key { get; init; }
    public required IReadOnlyList<StoredPart> Objects { get; init; }

    /// <summary>
    /// Format version 2: every earlier backup whose volumes this one's index points into, with those volumes as that
    /// backup's manifest lists them (size and hash, checked before they are read); null (absent from the JSON) when the
    /// backup holds all its files itself. See <see cref="ManifestReferences"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<BackupReference>? References { get; init; }
    public required BackupStatistics Statistics { get; init; }
    public DatabaseSourceInfo? Database { get; init; }
    public required string Tool { get; init; }
}
