using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>A real (files-only, encrypted) backup written into a store by the engine's writers, for tests of what reads it back.</summary>
internal static class StoredBackupFixture
{
    public const string BackupId = "b1";
    public const string Folder = "site/backups/b1/";

    /// <summary>Writes the backup; returns the manifest's SHA-256 (hex) as the catalog records it.</summary>
    public static async Task<string> WriteAsync(IBackupStore store)
    {
        using var site = new TempFolder();
        var uploads = Directory.CreateDirectory(Path.Combine(site.Path, "uploads")).FullName;
        for (var i = 0; i < 20; i++)
            await File.WriteAllBytesAsync(Path.Combine(uploads, $"f{i:D2}.bin"), RandomNumberGenerator.GetBytes(10_000 + i));
        var key = RandomNumberGenerator.GetBytes(32);
        var settings = new PartSettings();
        var files = await BackupWriter.WriteFilesAsync(store, Folder, BackupId, settings, key,
            new FilesSource { Root = site.Path, Components = ["uploads"] }, null, default);
        var envelope = new KeyEnvelope("test", "test", "test", "AAAA");
        var draft = new ManifestDraft(BackupId, "cfg", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, settings, envelope, null, files);
        var (_, result) = await BackupWriter.WriteManifestAsync(store, Folder, draft, key, default);
        return result.Sha256;
    }

    /// <summary>Flips one bit in the middle of a stored object (in place, same size).</summary>
    public static async Task FlipAByteAsync(MemoryBackupStore store, string name)
    {
        byte[] bytes;
        await using (var read = await store.OpenReadAsync(name, default))
        using (var copy = new MemoryStream())
        {
            await read.CopyToAsync(copy);
            bytes = copy.ToArray();
        }
        bytes[bytes.Length / 2] ^= 0x10;
        await store.PutAsync(name, new MemoryStream(bytes), default);
    }
}
