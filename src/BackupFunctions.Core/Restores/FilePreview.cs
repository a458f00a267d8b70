namespace BackupFunctions.Core.Restores;

/// <summary>
/// The site entries (files, folders and links) a restore would create, overwrite, delete, leave unchanged or — with
/// overwriteExisting false — skip because they exist and differ. Every entry is in exactly one group.
/// </summary>
public sealed record FilePreview(
    PreviewPathGroup Create, PreviewPathGroup Overwrite, PreviewPathGroup Delete, PreviewPathGroup Unchanged, PreviewPathGroup Skipped);
