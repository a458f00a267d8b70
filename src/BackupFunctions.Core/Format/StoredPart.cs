using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Format;

/// <summary>One object written to a destination, as the manifest lists it.</summary>
/// <param name="Name">The part name relative to the backup folder, e.g. <c>db.part</c>.</param>
/// <param name="Kind"><c>database</c>, <c>files</c> or <c>index</c>.</param>
/// <param name="StoredSize">Bytes stored (after compression and encryption).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the stored bytes, checkable without the key.</param>
/// <param name="PlainSize">Bytes before compression.</param>
/// <param name="Compression">
/// Format version 2: the part's own compression when it differs from the manifest's (already-compressed media is stored
/// with <c>none</c>); null (and absent from the JSON, so version-1 manifests serialize as before) means the manifest's.
/// </param>
public sealed record StoredPart(
    string Name,
    string Kind,
    long StoredSize,
    string Sha256,
    long PlainSize,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Compression = null)
{
    /// <summary>Whether <paramref name="other"/> lists the same stored bytes: stored size and SHA-256 (checkable without the key).</summary>
    public bool SameStoredBytesAs(StoredPart other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return StoredSize == other.StoredSize && string.Equals(Sha256, other.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The compression word the part was written with: its own, else the manifest's.</summary>
    public string CompressionIn(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return Compression ?? manifest.Compression;
    }
}
