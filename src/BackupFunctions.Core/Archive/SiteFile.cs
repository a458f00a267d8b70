namespace BackupFunctions.Core.Archive;

/// <summary>
/// One file of a site opened for reading by a <see cref="ISiteSource"/>: its length, time and mode at the moment it was
/// opened (what the archive stores), its content, and a way to see whether it changed while it was read.
/// </summary>
public abstract class SiteFile(long length, DateTimeOffset modifiedAt, int mode, string? identity) : IDisposable
{
    public long Length { get; } = length;

    public DateTimeOffset ModifiedAt { get; } = modifiedAt;

    public int Mode { get; } = mode;

    /// <inheritdoc cref="SiteEntry.Identity"/>
    public string? Identity { get; } = identity;

    /// <summary>The content from its start; read it once, before <see cref="CurrentState"/>, and dispose it.</summary>
    public abstract Stream OpenRead();

    /// <summary>The file's length and modification time now (after reading it: did it change meanwhile?).</summary>
    public abstract (long Length, DateTimeOffset ModifiedAt) CurrentState();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
