namespace BackupFunctions.Core.Downloads;

/// <summary>A backup ready to be streamed as one tar: its file name, its exact length, and the writing.</summary>
public interface IBackupDownload : IAsyncDisposable
{
    /// <summary>The file name to offer (config name and date, <c>.tar</c>): only letters, digits, '.', '-' and '_'.</summary>
    string FileName { get; }

    /// <summary>The exact number of bytes <see cref="WriteToAsync"/> writes when it succeeds.</summary>
    long Length { get; }

    /// <summary>
    /// Writes the tar to <paramref name="output"/> as it reads the backup. Damage found on the way throws (an
    /// <see cref="Format.IntegrityException"/> naming the object) before the tar is complete: the caller must end its
    /// response abnormally then, never close it as if it were whole.
    /// </summary>
    Task WriteToAsync(Stream output, CancellationToken cancellationToken);
}
