using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Backups;

/// <summary>How a backup's files are cut into volumes and written (settings section <c>Backups</c>).</summary>
public sealed class VolumeOptions
{
    public const string SectionName = "Backups";

    /// <summary>Content MiB per file volume (a bigger file gets a volume of its own). Default 256.</summary>
    public int VolumeSizeMiB { get; set; } = VolumeLimits.DefaultSizeMiB;

    /// <summary>Entries (files, folders, links) per volume at most. Default 50,000.</summary>
    public int VolumeMaxFiles { get; set; } = VolumeLimits.DefaultMaxEntries;

    /// <summary>Volumes written at the same time by one backup (one activity each). Default 2.</summary>
    public int MaxParallelVolumes { get; set; } = 2;

    /// <summary>
    /// Already-compressed files (JPEG, PNG, ZIP, MP4…: <see cref="CompressedFiles"/>) go into volumes of their
    /// own, stored with compression <c>none</c>, instead of through the config's compression. Default true.
    /// </summary>
    public bool StoreCompressedAsIs { get; set; } = true;

    public VolumeLimits Limits => new((long)VolumeSizeMiB * 1024 * 1024, VolumeMaxFiles);

    /// <summary>Null when valid, else what is wrong (for start-up validation).</summary>
    public string? Validate()
        => VolumeSizeMiB is < 1 or > 65536 ? "Backups:VolumeSizeMiB must be 1-65536."
            : VolumeMaxFiles is < 1 or > 10_000_000 ? "Backups:VolumeMaxFiles must be 1-10000000."
            : MaxParallelVolumes is < 1 or > 64 ? "Backups:MaxParallelVolumes must be 1-64."
            : null;
}
