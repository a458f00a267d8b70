using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// A backup's data key as it travels between the steps: the envelope that goes into the manifest, and — when the app
/// has a transit key — the same data key sealed for the steps (<see cref="DataKeyTransit"/>). Neither is the plain key.
/// </summary>
public sealed record PreparedKey(KeyEnvelope Stored, string? Sealed);
