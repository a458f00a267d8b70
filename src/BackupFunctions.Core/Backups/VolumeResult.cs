using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>One written file volume (<c>files-0000N.part</c>), the index of its entries beside it, and counts.</summary>
public sealed record VolumeResult(int Number, StoredPart Volume, StoredPart Index, long Files, long Folders, long Bytes)
{
    /// <inheritdoc cref="FilesPartResult.ChangedFiles"/>
    public IReadOnlyList<FileChange> ChangedFiles { get; init; } = [];

    public long ChangedFileCount { get; init; }

    /// <inheritdoc cref="FilesPartResult.LinkedComponents"/>
    public IReadOnlyList<LinkedComponent> LinkedComponents { get; init; } = [];

    public long LinkedComponentCount { get; init; }
}
