using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What <see cref="BackupWriter.WriteManifestAsync"/> needs to describe a backup whose parts are written. <c>Key</c> is
/// null exactly when <c>Settings.Encryption</c> is <see cref="Encryption.EncryptionAlgorithm.None"/>.
/// <c>Type</c> is one of <see cref="BackupTypes"/>; null: derived from the parts held (<see cref="BackupTypes.OfParts"/>).
/// </summary>
public sealed record ManifestDraft(
    string BackupId,
    string ConfigId,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    PartSettings Settings,
    KeyEnvelope? Key,
    DatabasePartResult? Database,
    FilesPartResult? Files,
    string? Type = null)
{
    /// <summary>The manifest's <c>type</c>: <see cref="Type"/> when set, else what the parts make it.</summary>
    public string BackupType => Type ?? BackupTypes.OfParts(Database is not null, Files is not null);
}
