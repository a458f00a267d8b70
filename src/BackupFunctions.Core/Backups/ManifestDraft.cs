using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What <see cref="BackupWriter.WriteManifestAsync"/> needs to describe a backup whose parts are written. <c>Key</c> is
/// null exactly when <c>Settings.Encryption</c> is <see cref="Encryption.EncryptionAlgorithm.None"/>.
/// </summary>
public sealed record ManifestDraft(
    string BackupId,
    string ConfigId,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    PartSettings Settings,
    KeyEnvelope? Key,
    DatabasePartResult? Database,
    FilesPartResult? Files);
