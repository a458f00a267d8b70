using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Downloads;

/// <summary>
/// Opens a backup for download from its first readable copy (the primary first, as a restore does): the manifest read
/// and authenticated with the service's key, the tar measured. <see cref="BackupDownload"/> is the content (database
/// dump and site files), <see cref="StoredBackupDownload"/> the stored objects as they are.
/// </summary>
public sealed class BackupDownloader(BackupCatalog catalog, StorageLocations stores, IKeyEncryptionKey? keyEncryptionKey)
{
    /// <param name="stored">The stored objects as they are (<c>?format=stored</c>) instead of the content.</param>
    /// <exception cref="IntegrityException">The manifest, the index or a referenced backup is damaged or missing.</exception>
    public async Task<DownloadStart> OpenAsync(string backupId, bool stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backupId);
        var backup = await catalog.Backups.GetAsync(backupId, cancellationToken);
        if (backup is null)
            return new DownloadStart(null, Found: false);
        if (backup.Status == BackupStatuses.Deleting)
            return new DownloadStart(null, Refusal: $"Backup {backupId} is being deleted: its objects may be partly gone.");
        var copy = backup.Locations.Where(BackupVerifications.CanVerify).OrderBy(l => l.Primary ? 0 : 1).ThenBy(l => l.Index).FirstOrDefault();
        if (copy is null)
            return new DownloadStart(null, Refusal: $"Backup {backupId} has no copy that can be read (every copy failed or was recorded without its destination).");

        var config = await catalog.Configs.GetAsync(backup.ConfigId, cancellationToken);
        var fileName = FileNameOf(config?.Config.Name ?? backup.ConfigId, backup.CreatedAt, stored);
        var store = await stores.OpenAsync(copy.Destination!, cancellationToken);
        var folder = copy.ManifestName[..^ObjectNames.Manifest.Length];
        var allowUnencrypted = EncryptionAlgorithms.IsNone(backup.Encryption);

        var (unverified, bytes) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
        var dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, allowUnencrypted, cancellationToken);
        ReferencedBackups? referenced = null;
        try
        {
            var manifest = unverified.Verify(dataKey, backupId);
            if (stored)
            {
                CryptographicOperations.ZeroMemory(dataKey);
                return new DownloadStart(await StoredBackupDownload.OpenAsync(store, folder, manifest, bytes, fileName, cancellationToken));
            }
            referenced = await ReferencedBackups.OpenAsync(store, folder, manifest, keyEncryptionKey, allowUnencrypted, cancellationToken);
            // The download owns the key and the referenced backups from here on.
            var download = await BackupDownload.OpenAsync(store, folder, manifest, dataKey, referenced, fileName, cancellationToken);
            return new DownloadStart(download);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(dataKey);
            referenced?.Dispose();
            throw;
        }
    }

    /// <summary><c>&lt;config name&gt;-&lt;yyyy-MM-dd-HHmmss&gt;[-stored].tar</c>, the name reduced to letters, digits, '.', '-' and '_'.</summary>
    public static string FileNameOf(string configName, DateTimeOffset createdAt, bool stored)
    {
        ArgumentNullException.ThrowIfNull(configName);
        var name = new StringBuilder(configName.Length);
        foreach (var c in configName.Normalize(NormalizationForm.FormKC))
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '-');
        var safe = name.ToString().Trim('-', '.');
        if (safe.Length == 0)
            safe = "backup";
        if (safe.Length > 80)
            safe = safe[..80];
        var date = createdAt.UtcDateTime.ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture);
        return $"{safe}-{date}{(stored ? "-stored" : "")}.tar";
    }
}
