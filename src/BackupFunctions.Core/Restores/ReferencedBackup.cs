using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// An earlier backup that an incremental backup's index points into, opened for reading (<see cref="ReferencedBackups"/>):
/// its authenticated manifest, its own data key (held by <see cref="ReferencedBackups"/>, zeroed when it is disposed)
/// and the volumes the reference names, each as this backup's manifest lists it — equal to the reference's record.
/// </summary>
public sealed class ReferencedBackup
{
    private readonly byte[] _dataKey;
    private readonly Dictionary<string, StoredPart> _volumes;

    internal ReferencedBackup(string folder, BackupManifest manifest, byte[] dataKey, IReadOnlyList<StoredPart> volumes)
    {
        Folder = folder;
        Manifest = manifest;
        _dataKey = dataKey;
        Volumes = volumes;
        _volumes = volumes.ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    public string BackupId => Manifest.BackupId;

    /// <summary>Its folder in the destination, beside the referencing backup's, ending with '/'.</summary>
    public string Folder { get; }

    /// <summary>Its manifest, MAC and id checked.</summary>
    public BackupManifest Manifest { get; }

    /// <summary>The referenced volumes, ascending, as its manifest lists them.</summary>
    public IReadOnlyList<StoredPart> Volumes { get; }

    internal byte[] DataKey => _dataKey;

    /// <summary>The referenced volume <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The reference does not name it.</exception>
    public StoredPart Volume(string name) => _volumes.TryGetValue(name, out var part)
        ? part
        : throw new KeyNotFoundException($"backup {BackupId}: {name} is not a referenced volume");

    /// <summary>
    /// The plaintext of one of its referenced volumes, read as any part of this backup (its part key, its manifest's
    /// encryption and chunk size, the part's compression), the stored size and SHA-256 checked against the listing
    /// (see <see cref="PartReader.OpenAsync"/>).
    /// </summary>
    public Task<Stream> OpenAsync(IBackupStore store, StoredPart volume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return PartReader.OpenAsync(store, Folder + volume.Name, BackupId, volume, Manifest, _dataKey, cancellationToken);
    }
}
