namespace BackupFunctions.Core.Archive;

/// <summary>Reads and writes the file index (JSON lines, one <see cref="FileIndexEntry"/> per line).</summary>
public static class FileIndex
{
    public static Task WriteAsync(IEnumerable<FileIndexEntry> entries, Stream output, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    public static Task<IReadOnlyList<FileIndexEntry>> ReadAsync(Stream input, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
