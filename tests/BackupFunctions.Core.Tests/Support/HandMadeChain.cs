using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A chain of real (files-only, encrypted) backups in one destination, written by the engine's writers: a full backup,
/// then incrementals whose manifests reference the volumes of earlier backups as docs/format.md ("Incremental backups")
/// says — format version 2, type <c>incremental</c>, <c>baseBackupId</c>, <c>references</c> with each volume as the
/// referenced manifest lists it — and whose own volume holds one new file. Built by hand for what checks stored objects
/// (quick verification, replication, retention, deletion); the incrementals' indexes list only their own files, so
/// they are not for restore tests.
/// </summary>
internal sealed class HandMadeChain(IBackupStore store, string prefix)
{
    private static readonly KeyEnvelope Envelope = new("test", "test", "test", "AAAA");

    public IBackupStore Store { get; } = store;

    /// <summary>The data key of every backup of the chain (the tests here never unwrap it).</summary>
    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The manifests written, by backup id.</summary>
    public Dictionary<string, BackupManifest> Manifests { get; } = new(StringComparer.Ordinal);

    /// <summary>The SHA-256 (hex) of each stored manifest, as the catalog records it.</summary>
    public Dictionary<string, string> ManifestSha256 { get; } = new(StringComparer.Ordinal);

    public string FolderOf(string backupId) => ObjectNames.BackupFolder(prefix, backupId);

    /// <summary>A full backup of <paramref name="files"/> random files.</summary>
    public async Task<BackupManifest> WriteFullAsync(string backupId, int files = 12)
    {
        using var site = new TempFolder("bf-chain-");
        var uploads = Directory.CreateDirectory(Path.Combine(site.Path, "uploads")).FullName;
        for (var i = 0; i < files; i++)
            await File.WriteAllBytesAsync(Path.Combine(uploads, $"f{i:D2}.bin"), RandomNumberGenerator.GetBytes(5_000 + i));
        var settings = new PartSettings();
        var part = await BackupWriter.WriteFilesAsync(Store, FolderOf(backupId), backupId, settings, Key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, null, default);
        var draft = new ManifestDraft(backupId, "cfg", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, settings, Envelope, null, part);
        var (manifest, result) = await BackupWriter.WriteManifestAsync(Store, FolderOf(backupId), draft, Key, default);
        Manifests[backupId] = manifest;
        ManifestSha256[backupId] = result.Sha256;
        return manifest;
    }

    /// <summary>
    /// An incremental on <paramref name="baseId"/> that references every files volume of each backup in
    /// <paramref name="referenced"/> (default: the base alone).
    /// </summary>
    public async Task<BackupManifest> WriteIncrementalAsync(string backupId, string baseId, params string[] referenced)
    {
        if (referenced.Length == 0)
            referenced = [baseId];
        using var site = new TempFolder("bf-chain-");
        var uploads = Directory.CreateDirectory(Path.Combine(site.Path, "uploads")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(uploads, $"new-{backupId}.bin"), RandomNumberGenerator.GetBytes(3_000));
        var settings = new PartSettings();
        var part = await BackupWriter.WriteFilesAsync(Store, FolderOf(backupId), backupId, settings, Key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, null, default);
        var draft = new ManifestDraft(backupId, "cfg", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, settings, Envelope, null, part,
            BackupTypes.Incremental);
        var (written, _) = await BackupWriter.WriteManifestAsync(Store, FolderOf(backupId), draft, Key, default);
        var manifest = written with
        {
            FormatVersion = BackupManifest.VolumesFormatVersion,
            BaseBackupId = baseId,
            References = [.. referenced.Select(id => new BackupReference(id,
                [.. Manifests[id].Objects.Where(o => o.Kind == ManifestVolumes.FilesKind)]))],
            Statistics = written.Statistics with { AddedFiles = 1, UnchangedFiles = 12 },
        };
        var bytes = ManifestFile.Write(manifest, Key);
        await Store.PutAsync(FolderOf(backupId) + ObjectNames.Manifest, new MemoryStream(bytes, writable: false), default);
        Manifests[backupId] = manifest;
        ManifestSha256[backupId] = Convert.ToHexStringLower(SHA256.HashData(bytes));
        return manifest;
    }
}
