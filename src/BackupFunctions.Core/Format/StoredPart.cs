namespace BackupFunctions.Core.Format;

/// <summary>One object written to a destination, as the manifest lists it.</summary>
/// <param name="Name">The part name relative to the backup folder, e.g. <c>db.part</c>.</param>
/// <param name="Kind"><c>database</c>, <c>files</c> or <c>index</c>.</param>
/// <param name="StoredSize">Bytes stored (after compression and encryption).</param>
/// <param name="Sha256">Lowercase hex SHA-256 of the stored bytes, checkable without the key.</param>
/// <param name="PlainSize">Bytes before compression.</param>
public sealed record StoredPart(string Name, string Kind, long StoredSize, string Sha256, long PlainSize);
