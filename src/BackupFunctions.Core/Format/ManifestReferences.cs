namespace BackupFunctions.Core.Format;

/// <summary>
/// The references of an incremental backup's manifest to earlier backups (docs/format.md, "Incremental backups"):
/// which backups and which of their volumes its index points into.
/// </summary>
public static class ManifestReferences
{
    /// <summary>The longest backup id a reference may name (ids are folder names in a destination).</summary>
    public const int MaxBackupIdLength = 128;

    /// <summary>The references of <paramref name="manifest"/>, empty when it holds all its files itself.</summary>
    public static IReadOnlyList<BackupReference> Of(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.References ?? [];
    }

    /// <summary>Every backup id <paramref name="manifest"/> references, in the manifest's order.</summary>
    public static IReadOnlyList<string> BackupIds(BackupManifest manifest) => [.. Of(manifest).Select(r => r.BackupId)];

    /// <summary>
    /// Whether <paramref name="backupId"/> may be named by a reference: 1–128 of <c>A-Z a-z 0-9 . _ -</c>, not only dots.
    /// It becomes a folder name in the destination, so nothing else may pass (no '/', no '..').
    /// </summary>
    public static bool IsPlainBackupId(string? backupId)
    {
        if (string.IsNullOrEmpty(backupId) || backupId.Length > MaxBackupIdLength || backupId.All(c => c == '.'))
            return false;
        foreach (var c in backupId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Refuses, as damage (<see cref="IntegrityException"/> for <c>manifest.json</c>), references that break the
    /// contract: in a version-1 manifest (or a base id there), in a backup that is not <c>incremental</c>, naming the
    /// backup itself, a backup id that is not a plain name, the same backup twice, no volumes, anything but files
    /// volumes, or the same volume twice.
    /// </summary>
    public static void Check(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var references = manifest.References;
        if (manifest.FormatVersion < BackupManifest.VolumesFormatVersion)
        {
            if (references is not null)
                throw Damaged($"format version {manifest.FormatVersion} has no references (only version {BackupManifest.VolumesFormatVersion} may have them)");
            if (manifest.BaseBackupId is not null)
                throw Damaged($"format version {manifest.FormatVersion} has no base backup (only version {BackupManifest.VolumesFormatVersion} may have one)");
            return;
        }

        if (manifest.BaseBackupId is { } baseId && (!IsPlainBackupId(baseId) || baseId == manifest.BackupId))
            throw Damaged($"the base backup '{Printable(baseId)}' is not another backup's plain id");
        if (references is null)
            return;
        if (manifest.Type != BackupTypes.Incremental)
            throw Damaged($"a backup of type '{manifest.Type}' references other backups (only incremental ones may)");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reference in references)
        {
            if (reference?.BackupId is not { } id || !IsPlainBackupId(id))
                throw Damaged($"a reference names '{Printable(reference?.BackupId)}', which is not a plain backup id");
            if (id == manifest.BackupId)
                throw Damaged($"the backup references itself");
            if (!seen.Add(id))
                throw Damaged($"backup '{id}' is referenced twice");
            if (reference.Objects is not { Count: > 0 } objects)
                throw Damaged($"the reference to '{id}' lists no volumes");
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var part in objects)
            {
                if (part is null || part.Kind != ManifestVolumes.FilesKind || ManifestVolumes.Number(part.Name) < 1)
                    throw Damaged($"the reference to '{id}' lists '{Printable(part?.Name)}', which is not a files volume");
                if (!names.Add(part.Name))
                    throw Damaged($"the reference to '{id}' lists {part.Name} twice");
                if (part.Compression is { Length: 0 })
                    throw Damaged($"the reference to '{id}' gives {part.Name} an empty compression");
            }
        }
    }

    private static string Printable(string? value)
        => value is null ? "(none)" : new string([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    private static IntegrityException Damaged(string reason) => new(ManifestFile.FileName, $"not a valid manifest: {reason}");
}
