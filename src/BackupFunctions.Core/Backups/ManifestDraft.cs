using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Backups;

/// <summary>What <see cref="BackupWriter.WriteManifestAsync"/> needs to describe a backup whose parts are written.</summary>
public sealed record ManifestDraft(
    string BackupId,
    string ConfigId,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    PartSettings Settings,
    KeyEnvelope Key,
    DatabasePartResult? Database,
    FilesPartResult? Files);
