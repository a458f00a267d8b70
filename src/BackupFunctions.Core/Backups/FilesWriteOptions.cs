using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Backups;

/// <summary>How <c>BackupWriter.WriteFilesAsync</c> cuts and compares a site's files.</summary>
public sealed record FilesWriteOptions
{
    public VolumeLimits Limits { get; init; } = VolumeLimits.Default;

    /// <summary>
    /// Already-compressed files into volumes of their own stored with compression <c>none</c>
    /// (<see cref="VolumeOptions.StoreCompressedAsIs"/>; backupctl's <c>--compress-all</c> turns it off).
    /// </summary>
    public bool StoreCompressedAsIs { get; init; } = true;

    /// <summary>An incremental backup on this base; null for a full one.</summary>
    public IncrementalBase? Incremental { get; init; }

    /// <summary>With <see cref="Incremental"/>: compare the content's SHA-256 too (<c>incremental.compare: hash</c>).</summary>
    public bool CompareHash { get; init; }
}
