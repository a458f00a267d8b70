using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The base of an incremental backup, opened from the destination the new backup is written to: its manifest read,
/// its own data key unwrapped and the manifest's MAC and id verified. Reads its file index for the comparison.
/// </summary>
/// <remarks>
/// A base that cannot be opened is no error of the backup: the run becomes a full one and says why
/// (<see cref="OpenAsync"/> returns the reason). Notably a wrap-only Key Vault identity cannot unwrap an earlier
/// backup's key, so such a deployment makes full backups only (docs/design.md, "Incremental backups").
/// </remarks>
public sealed class IncrementalBase : IDisposable
{
    private readonly IBackupStore _store;
    private readonly string _folder;
    private readonly byte[] _dataKey;

    private IncrementalBase(IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey)
    {
        _store = store;
        _folder = folder;
        Manifest = manifest;
        _dataKey = dataKey;
    }

    /// <summary>The base's verified manifest.</summary>
    public BackupManifest Manifest { get; }

    /// <summary>
    /// Opens backup <paramref name="baseBackupId"/> under <paramref name="prefix"/>. Returns the base, or null and the
    /// reason the run must be full instead: the base is missing, has no file index, is protected otherwise than the new
    /// backup (encrypted or not), its key cannot be opened, or its manifest is damaged.
    /// </summary>
    public static async Task<(IncrementalBase? Base, string Reason)> OpenAsync(
        IBackupStore store, string prefix, string baseBackupId, IKeyEncryptionKey? keyEncryptionKey, bool encrypted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var folder = ObjectNames.BackupFolder(prefix, baseBackupId);
        UnverifiedManifest unverified;
        try
        {
            (unverified, _) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
        }
        catch (StoreObjectNotFoundException)
        {
            return (null, $"full: the base {baseBackupId} is missing from the destination");
        }
        catch (IntegrityException e)
        {
            return (null, $"full: the manifest of the base {baseBackupId} is damaged ({e.Message})");
        }
        catch (NotSupportedException e)
        {
            return (null, $"full: the base {baseBackupId} cannot be read ({e.Message})");
        }

        // An unencrypted base under an encrypted backup would make the new backup's files readable without the key.
        if ((unverified.Manifest.Key is not null) != encrypted)
            return (null, $"full: the base {baseBackupId} is {(encrypted ? "not encrypted" : "encrypted")}, this backup {(encrypted ? "is" : "is not")}");

        byte[] dataKey;
        try
        {
            dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, allowUnencrypted: !encrypted, cancellationToken);
        }
        catch (Exception e) when (e is IntegrityException or KeyVaultException or ArgumentException or CryptographicException)
        {
            return (null, $"full: the key of the base {baseBackupId} cannot be opened ({e.Message})");
        }

        try
        {
            var manifest = unverified.Verify(dataKey, baseBackupId);
            if (!manifest.Objects.Any(o => o.Name == ObjectNames.Index))
            {
                CryptographicOperations.ZeroMemory(dataKey);
                return (null, $"full: the base {baseBackupId} holds no files");
            }
            return (new IncrementalBase(store, folder, manifest, dataKey), $"incremental on {baseBackupId}");
        }
        catch (IntegrityException e)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            return (null, $"full: the manifest of the base {baseBackupId} is damaged ({e.Message})");
        }
    }

    /// <summary>
    /// Opens the base <paramref name="chosen"/> names (<see cref="IncrementalPolicy.ChooseBase"/>) and checks its chain
    /// (<see cref="IncrementalPolicy.CheckChain"/>, reading the manifests of up to <paramref name="fullEvery"/> backups
    /// before it). Returns the base, or null and why the run is full.
    /// </summary>
    public static async Task<(IncrementalBase? Base, string Reason)> OpenChosenAsync(
        IBackupStore store, string prefix, IncrementalDecision chosen, IKeyEncryptionKey? keyEncryptionKey, bool encrypted, int fullEvery,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        if (chosen.BaseBackupId is not { } baseId)
            return (null, chosen.Reason);
        var (opened, reason) = await OpenAsync(store, prefix, baseId, keyEncryptionKey, encrypted, cancellationToken);
        if (opened is null)
            return (null, reason);

        // Only the types along the chain are needed, and a wrong one could only make a full backup early or late: the
        // manifests before the base are read, not verified (that would unwrap a key per backup).
        var types = new List<string> { opened.Manifest.Type };
        var next = opened.Manifest.BaseBackupId;
        while (types.Count < fullEvery && types[^1] == BackupTypes.Incremental && next is not null && ManifestReferences.IsPlainBackupId(next))
        {
            try
            {
                var (earlier, _) = await StoredManifest.ReadAsync(store, ObjectNames.BackupFolder(prefix, next), cancellationToken);
                types.Add(earlier.Manifest.Type);
                next = earlier.Manifest.BaseBackupId;
            }
            catch (Exception e) when (e is StoreObjectNotFoundException or IntegrityException or NotSupportedException)
            {
                break;
            }
        }
        var decision = IncrementalPolicy.CheckChain(chosen, types, fullEvery);
        if (!decision.IsIncremental)
            opened.Dispose();
        return decision.IsIncremental ? (opened, decision.Reason) : (null, decision.Reason);
    }

    /// <summary>The base's file index, entry by entry; reading it to its end checks the part's stored hash.</summary>
    public async IAsyncEnumerable<FileIndexEntry> ReadIndexAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var index = Manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        await using var stream = await PartReader.OpenAsync(_store, _folder + index.Name, Manifest.BackupId, index, Manifest, _dataKey, cancellationToken);
        await foreach (var entry in FileIndex.ReadEntriesAsync(stream, cancellationToken))
            yield return entry;
        await stream.CopyToAsync(Stream.Null, cancellationToken);
    }

    /// <summary>Loads the comparison (one read of the base's index).</summary>
    public Task<BaseComparison> CompareAsync(bool compareHash, CancellationToken cancellationToken)
        => BaseComparison.LoadAsync(Manifest, ReadIndexAsync(cancellationToken), compareHash, cancellationToken);

    public void Dispose() => CryptographicOperations.ZeroMemory(_dataKey);
}
