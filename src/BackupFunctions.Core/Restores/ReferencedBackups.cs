using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Opens the earlier backups an incremental backup's manifest references (docs/format.md, "Incremental backups"), in the
/// same destination and prefix: each one's <c>manifest.json</c> read (capped, <see cref="StoredManifest"/>), its own data
/// key unwrapped with the caller's key-encryption key, its MAC and id checked, and its listing of every referenced volume
/// compared with the reference (name, kind, stored size, SHA-256 in constant time, plain size, compression), the volume
/// present with that stored size. The referencing manifest's MAC covers the reference, so a referenced volume is read
/// only if it is exactly the bytes the incremental backup was made against.
/// </summary>
/// <remarks>
/// Every failure is an <see cref="IntegrityException"/> naming the referenced backup's object (its folder and the part):
/// a missing referenced backup, a manifest that does not authenticate or is another backup's, a referenced volume it does
/// not list or lists otherwise, a volume missing or of another size. The data keys stay in memory while the volumes are
/// read (several at once) and are zeroed on <see cref="Dispose"/> (and on any failure while opening).
/// </remarks>
public sealed class ReferencedBackups : IDisposable
{
    private readonly Dictionary<string, ReferencedBackup> _backups;
    private bool _disposed;

    private ReferencedBackups(IReadOnlyList<ReferencedBackup> backups)
    {
        Backups = backups;
        _backups = backups.ToDictionary(b => b.BackupId, StringComparer.Ordinal);
    }

    /// <summary>None: a backup that references nothing.</summary>
    public static ReferencedBackups None => new([]);

    /// <summary>The referenced backups, in the order of the manifest's references.</summary>
    public IReadOnlyList<ReferencedBackup> Backups { get; }

    /// <summary>The referenced backup <paramref name="backupId"/>.</summary>
    /// <exception cref="KeyNotFoundException">It is not referenced.</exception>
    public ReferencedBackup Get(string backupId) => _backups.TryGetValue(backupId, out var backup)
        ? backup
        : throw new KeyNotFoundException($"backup {backupId} is not referenced");

    /// <summary>
    /// Opens every backup <paramref name="manifest"/> references (none for a backup that holds all its files).
    /// </summary>
    /// <param name="folder">The referencing backup's folder (<see cref="ObjectNames.BackupFolder"/>): the referenced ones are its siblings.</param>
    /// <param name="manifest">The referencing backup's manifest, already authenticated.</param>
    /// <param name="keyEncryptionKey">Unwraps each referenced backup's own data key (the key the caller reads the referencing backup with).</param>
    /// <param name="allowUnencrypted">
    /// Accept a referenced backup whose manifest says encryption <c>none</c> (no MAC): as for the referencing backup,
    /// a reader that expects encryption refuses such a manifest.
    /// </param>
    /// <exception cref="IntegrityException">A referenced backup or volume is missing or differs (names the object).</exception>
    /// <exception cref="ArgumentException">A referenced backup is encrypted and no key was given.</exception>
    public static async Task<ReferencedBackups> OpenAsync(
        IBackupStore store, string folder, BackupManifest manifest, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(manifest);
        var references = ManifestReferences.Of(manifest);
        if (references.Count == 0)
            return None;
        var opened = new List<ReferencedBackup>();
        try
        {
            foreach (var reference in references)
                opened.Add(await OpenOneAsync(store, Core.Backups.ChainFolders.Beside(folder, reference.BackupId), reference, keyEncryptionKey, allowUnencrypted, cancellationToken));
            return new ReferencedBackups(opened);
        }
        catch
        {
            foreach (var backup in opened)
                CryptographicOperations.ZeroMemory(backup.DataKey);
            throw;
        }
    }

    /// <summary>Zeroes the data keys.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var backup in Backups)
            CryptographicOperations.ZeroMemory(backup.DataKey);
    }

    private static async Task<ReferencedBackup> OpenOneAsync(
        IBackupStore store, string folder, BackupReference reference, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted,
        CancellationToken cancellationToken)
    {
        var manifestName = folder + ObjectNames.Manifest;
        UnverifiedManifest unverified;
        try
        {
            (unverified, _) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
        }
        catch (StoreObjectNotFoundException e)
        {
            throw new IntegrityException(manifestName,
                $"backup {reference.BackupId}, which this backup references, is missing from the destination (or incomplete)", e);
        }
        catch (IntegrityException e)
        {
            throw Referenced(manifestName, reference, e.Message, e);
        }

        byte[] dataKey;
        try
        {
            dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, allowUnencrypted, cancellationToken);
        }
        catch (IntegrityException e)
        {
            // Also what the key-encryption key throws for an envelope it did not make (no object name of its own).
            throw Referenced(manifestName, reference, e.ObjectName is null ? $"its data key cannot be unwrapped with this key: {e.Message}" : e.Message, e);
        }

        try
        {
            BackupManifest manifest;
            try
            {
                manifest = unverified.Verify(dataKey, reference.BackupId);
            }
            catch (IntegrityException e)
            {
                throw Referenced(manifestName, reference, e.Message, e);
            }

            var volumes = new List<StoredPart>();
            foreach (var wanted in reference.Objects.OrderBy(o => ManifestVolumes.Number(o.Name)))
            {
                var name = folder + wanted.Name;
                var listed = manifest.Objects.FirstOrDefault(o => o.Name == wanted.Name)
                    ?? throw new IntegrityException(name, $"referenced by this backup, but backup {reference.BackupId}'s manifest does not list it");
                if (Difference(wanted, listed) is { } difference)
                    throw new IntegrityException(name, $"backup {reference.BackupId}'s manifest lists it with another {difference} than this backup's reference records");
                var info = await store.GetInfoAsync(name, cancellationToken)
                    ?? throw new IntegrityException(name, $"referenced by this backup, but missing from the destination");
                if (info.Size != listed.StoredSize)
                    throw new IntegrityException(name, $"{info.Size} bytes stored, the reference says {listed.StoredSize}");
                volumes.Add(listed);
            }

            return new ReferencedBackup(folder, manifest, dataKey, volumes);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw;
        }
    }

    /// <summary>Which field of the referenced backup's listing differs from the reference's, or null when none does.</summary>
    private static string? Difference(StoredPart reference, StoredPart listed)
    {
        // The hash in constant time, compared whatever the other fields say (no early exit on what an attacker chose).
        var sameHash = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(reference.Sha256 ?? ""), Encoding.ASCII.GetBytes(listed.Sha256 ?? ""));
        if (!string.Equals(reference.Kind, listed.Kind, StringComparison.Ordinal))
            return "kind";
        if (reference.StoredSize != listed.StoredSize)
            return "stored size";
        if (reference.PlainSize != listed.PlainSize)
            return "plain size";
        if (!string.Equals(reference.Compression, listed.Compression, StringComparison.Ordinal))
            return "compression";
        return sameHash ? null : "SHA-256";
    }

    private static IntegrityException Referenced(string manifestName, BackupReference reference, string message, Exception inner)
    {
        // The inner message may start with the manifest's own name; the referenced backup's folder says which one.
        var reason = message.StartsWith(ObjectNames.Manifest + ": ", StringComparison.Ordinal) ? message[(ObjectNames.Manifest.Length + 2)..] : message;
        return new IntegrityException(manifestName, $"backup {reference.BackupId}, which this backup references: {reason}", inner);
    }
}
