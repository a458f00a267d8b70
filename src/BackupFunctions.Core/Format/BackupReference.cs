namespace BackupFunctions.Core.Format;

/// <summary>
/// An earlier backup that an incremental backup's index points into, and the volumes of it that it needs, each as
/// that backup's manifest lists it (name, kind, stored size, SHA-256, plain size, own compression). A reader checks a
/// referenced volume against this record (constant time) before it reads it, so the referencing manifest's MAC covers
/// the referenced bytes too.
/// </summary>
public sealed record BackupReference(string BackupId, IReadOnlyList<StoredPart> Objects);
