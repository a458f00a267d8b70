using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// Writes files backups of a site into one destination the way backupctl does (the engine's <see cref="BackupWriter"/>
/// and <see cref="IncrementalBase"/>), remembering them, so a test can build a chain: full, then incrementals on the
/// newest (<see cref="IncrementalPolicy"/> picks it).
/// </summary>
public sealed class BackupChainWriter(IBackupStore store, string prefix, IKeyEncryptionKey? kek)
{
    private readonly List<BaseCandidate> _written = [];
    private int _clock;

    /// <summary>Volume limits of every backup written (small ones give several volumes).</summary>
    public VolumeLimits Limits { get; init; } = VolumeLimits.Default;

    public PartSettings Settings { get; init; } = new();

    public IBackupStore Store => store;

    public string Folder(string backupId) => ObjectNames.BackupFolder(prefix, backupId);

    /// <summary>A full backup of <paramref name="components"/> of <paramref name="root"/>.</summary>
    public async Task<BackupManifest> FullAsync(string backupId, string root, params string[] components)
        => (await WriteAsync(backupId, root, components, null)).Manifest;

    /// <summary>
    /// An incremental backup on the newest backup written so far (or a full one, and why, when the policy says so).
    /// </summary>
    public async Task<(BackupManifest Manifest, string Reason)> IncrementalAsync(
        string backupId, string root, string[] components, bool compareHash = false, int fullEvery = 7)
    {
        var encrypted = kek is not null;
        var (opened, reason) = await IncrementalBase.OpenChosenAsync(store, prefix, IncrementalPolicy.ChooseBase(_written), kek, encrypted, fullEvery, default);
        using (opened)
        {
            var (manifest, _) = await WriteAsync(backupId, root, components, opened, compareHash);
            return (manifest, reason);
        }
    }

    private async Task<(BackupManifest Manifest, FilesPartResult Files)> WriteAsync(
        string backupId, string root, string[] components, IncrementalBase? incremental, bool compareHash = false)
    {
        var settings = kek is null ? Settings with { Encryption = EncryptionAlgorithm.None } : Settings;
        var dataKey = kek is null ? [] : DataKeys.Generate();
        try
        {
            var envelope = kek is null ? null : await kek.WrapAsync(dataKey, default);
            var folder = Folder(backupId);
            var startedAt = DateTimeOffset.UnixEpoch.AddDays(++_clock);
            var files = await BackupWriter.WriteFilesAsync(store, folder, backupId, settings, dataKey,
                new FilesSource { Root = root, Components = components }, Limits, incremental, compareHash, null, default);
            var draft = new ManifestDraft(backupId, "chain", startedAt, startedAt.AddMinutes(1), settings, envelope, null, files);
            var (manifest, _) = await BackupWriter.WriteManifestAsync(store, folder, draft, dataKey, default);
            _written.Add(new BaseCandidate(backupId, startedAt, HoldsFiles: true));
            return (manifest, files);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Counts a backup written by another writer as written before everything this one writes.</summary>
    public void Remember(string backupId) => _written.Add(new BaseCandidate(backupId, DateTimeOffset.UnixEpoch, HoldsFiles: true));

    /// <summary>The index of a written backup, read with its own key.</summary>
    public async Task<IReadOnlyList<FileIndexEntry>> ReadIndexAsync(string backupId)
    {
        var (unverified, _) = await StoredManifest.ReadAsync(store, Folder(backupId), default);
        var dataKey = await ManifestKeys.OpenAsync(unverified, kek, allowUnencrypted: kek is null, default);
        try
        {
            var manifest = unverified.Verify(dataKey, backupId);
            var index = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
            await using var stream = await PartReader.OpenAsync(store, Folder(backupId) + index.Name, backupId, index, manifest, dataKey, default);
            return await FileIndex.ReadAsync(stream, default);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }
}
