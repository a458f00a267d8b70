using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Verification;

/// <summary>
/// Deep verification of one copy: the manifest's MAC is checked with the unwrapped data key, then every part is read,
/// decrypted and decompressed end to end — the file volumes parsed as tar and checked against the file index read in
/// step with them (every file's SHA-256), the database dump proven to be a custom-format dump that
/// <c>pg_restore --list</c> accepts. Everything streams; nothing is held whole.
/// </summary>
/// <remarks>
/// Damage never throws: a wrong or missing key, an altered manifest, a missing, flipped, truncated or swapped part
/// each become one problem line naming the object (<see cref="VerificationResult.Problems"/>). What does throw is what
/// says nothing about the copy: cancellation and a destination that cannot be reached (store errors other than
/// NotFound), so that the caller can retry.
/// </remarks>
public sealed class DeepVerifier(PostgresRestorer restorer, TimeProvider time)
{
    public const string Level = "deep";

    /// <summary>What a PostgreSQL custom-format dump starts with.</summary>
    private static readonly byte[] DumpMagic = "PGDMP"u8.ToArray();

    /// <param name="folder">The backup's folder in <paramref name="store"/>, ending with '/' (<see cref="ObjectNames.BackupFolder"/>).</param>
    /// <param name="backupId">The backup the folder must hold: an authentic manifest of another backup is refused.</param>
    /// <param name="keyEncryptionKey">Unwraps the data key; null only for backups without encryption.</param>
    /// <param name="allowUnencrypted">
    /// Accept a manifest that says encryption <c>none</c> (it has no MAC). False when the backup is known to be
    /// encrypted, so that a manifest replaced by an unencrypted one is a problem rather than a pass.
    /// </param>
    public async Task<VerificationResult> VerifyAsync(
        IBackupStore store, string folder, string backupId, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentException.ThrowIfNullOrEmpty(backupId);
        var started = Stopwatch.GetTimestamp();
        var findings = new Findings(folder);

        var (manifest, dataKey) = await OpenManifestAsync(store, folder, backupId, keyEncryptionKey, allowUnencrypted, findings, cancellationToken);
        if (manifest is not null)
        {
            try
            {
                var indexReadable = await CheckPartsAsync(store, folder, manifest, dataKey, findings, cancellationToken);
                if (ManifestReferences.Of(manifest).Count > 0)
                    await CheckReferencedAsync(store, folder, manifest, dataKey, keyEncryptionKey, allowUnencrypted, indexReadable, findings, cancellationToken);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(dataKey);
            }
        }

        return new VerificationResult(Level, findings.Problems.Count == 0, findings.Objects, findings.Bytes, findings.Problems,
            time.GetUtcNow(), Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3))
        {
            Files = findings.Files,
            FilesBytes = findings.FilesBytes,
            DumpCheck = findings.DumpCheck,
            OutsideLinkCount = findings.Files is null ? null : findings.Rules.OutsideLinks().Count,
        };
    }

    /// <summary>The authenticated manifest and the plain data key (empty for an unencrypted backup), or null after a problem.</summary>
    private static async Task<(BackupManifest? Manifest, byte[] DataKey)> OpenManifestAsync(
        IBackupStore store, string folder, string backupId, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted,
        Findings findings, CancellationToken cancellationToken)
    {
        findings.Objects++;
        UnverifiedManifest unverified;
        try
        {
            (unverified, var bytes) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
            findings.Bytes += bytes.Length;
        }
        catch (StoreObjectNotFoundException)
        {
            findings.Add(ObjectNames.Manifest, $"missing from {store.Location}");
            return (null, []);
        }
        catch (Exception e) when (e is IntegrityException or NotSupportedException)
        {
            findings.Add(ObjectNames.Manifest, e.Message);
            return (null, []);
        }

        byte[] dataKey;
        try
        {
            dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, allowUnencrypted, cancellationToken);
        }
        catch (IntegrityException e) when (e.ObjectName is null)
        {
            // Thrown by the key-encryption key: the envelope is not one it made (wrong key, wrong passphrase, edited envelope).
            findings.Add(ObjectNames.Manifest, $"the data key cannot be unwrapped with this key: {e.Message}");
            return (null, []);
        }
        catch (IntegrityException e)
        {
            findings.Add(ObjectNames.Manifest, e.Message);
            return (null, []);
        }
        catch (ArgumentException e)
        {
            findings.Add(ObjectNames.Manifest, e.Message);
            return (null, []);
        }
        catch (KeyVaultException e) when (e.Status == 403)
        {
            findings.Add(ObjectNames.Manifest, $"deep verification needs unwrap permission: {e.Message}");
            return (null, []);
        }
        catch (KeyVaultException e)
        {
            findings.Add(ObjectNames.Manifest, $"the data key could not be unwrapped: {e.Message}");
            return (null, []);
        }

        try
        {
            return (unverified.Verify(dataKey, backupId), dataKey);
        }
        catch (IntegrityException e)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            findings.Add(ObjectNames.Manifest, e.Message);
            return (null, []);
        }
    }

    /// <returns>Whether the index part passed (the referenced volumes are checked against it).</returns>
    private async Task<bool> CheckPartsAsync(
        IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey, Findings findings, CancellationToken cancellationToken)
    {
        var indexPart = manifest.Objects.FirstOrDefault(p => p.Kind == "index");
        var indexReadable = false;
        // The index first: the file volumes are checked against it, read again in step with each volume.
        foreach (var part in manifest.Objects.OrderBy(p => p.Kind == "index" ? 0 : 1))
        {
            findings.Objects++;
            string? problem;
            if (part.Kind == "files" && indexPart is null)
                problem = $"the manifest lists no {ObjectNames.Index} for it";
            else if (part.Kind == "files" && !indexReadable)
                problem = $"not checked: {indexPart!.Name} failed";
            else
                problem = await CheckPartAsync(store, folder, manifest, dataKey, part, indexPart, findings, cancellationToken);

            if (problem is not null)
            {
                findings.Add(part.Name, problem);
                continue;
            }
            findings.Bytes += part.StoredSize;
            if (part == indexPart)
                indexReadable = true;
        }
        return indexReadable;
    }

    /// <summary>
    /// An incremental backup's referenced volumes, read as a restore reads them: each referenced backup opened (its
    /// manifest, own data key, MAC, its listing of each volume equal to the reference, the volume present with that
    /// size), each volume read to its end (stored hash, AEAD, plain size) and its tar checked sparsely against the
    /// index entries pointing into it (every listed file's type, size and SHA-256). One problem line per referenced
    /// volume that fails, named <c>&lt;backup&gt;/&lt;volume&gt;</c>; one for the referenced backups when they cannot be opened.
    /// </summary>
    private static async Task CheckReferencedAsync(
        IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted,
        bool indexReadable, Findings findings, CancellationToken cancellationToken)
    {
        var groups = new IndexGroups(manifest).Groups.Where(g => g.IsReferenced).ToList();
        ReferencedBackups referenced;
        try
        {
            referenced = await ReferencedBackups.OpenAsync(store, folder, manifest, keyEncryptionKey, allowUnencrypted, cancellationToken);
        }
        catch (IntegrityException e)
        {
            findings.Objects += groups.Count;
            findings.Add(findings.Relative(e.ObjectName ?? ObjectNames.Manifest), e.Message);
            return;
        }
        catch (Exception e) when (e is ArgumentException or KeyVaultException or NotSupportedException)
        {
            findings.Objects += groups.Count;
            findings.Add(groups[0].Backup + "/" + ObjectNames.Manifest, $"the referenced backup cannot be opened: {e.Message}");
            return;
        }

        using (referenced)
        {
            var indexPart = manifest.Objects.First(p => p.Kind == "index");
            foreach (var group in groups)
            {
                findings.Objects++;
                var backup = referenced.Get(group.Backup!);
                var part = backup.Volume(group.Volume);
                if (!indexReadable)
                {
                    findings.Add(group.Label, $"not checked: {indexPart.Name} failed");
                    continue;
                }

                try
                {
                    await using var plaintext = new MeteredReadStream(await backup.OpenAsync(store, part, cancellationToken));
                    ArchiveProgress files;
                    await using (var index = await PartReader.OpenAsync(
                        store, folder + indexPart.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken))
                    {
                        files = await ArchiveVerifier.VerifyAsync(
                            plaintext, group, FileIndex.ReadEntriesAsync(index, cancellationToken), findings.Rules, cancellationToken);
                    }
                    await plaintext.DrainAsync(cancellationToken);
                    if (plaintext.BytesRead != part.PlainSize)
                    {
                        findings.Add(group.Label, $"{plaintext.BytesRead} plaintext bytes, the manifest says {part.PlainSize}");
                        continue;
                    }
                    findings.Files = (findings.Files ?? 0) + files.Files;
                    findings.FilesBytes = (findings.FilesBytes ?? 0) + files.Bytes;
                    findings.Bytes += part.StoredSize;
                }
                catch (IntegrityException e)
                {
                    findings.Add(group.Label, e.Message);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or NotSupportedException)
                {
                    findings.Add(group.Label, $"cannot be parsed: {e.Message}");
                }
                catch (StoreObjectNotFoundException)
                {
                    findings.Add(group.Label, $"disappeared from {store.Location} while it was read");
                }
            }
        }
    }

    /// <returns>Null when the part passed, otherwise what is wrong with it.</returns>
    private async Task<string?> CheckPartAsync(
        IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey, StoredPart part, StoredPart? indexPart,
        Findings findings, CancellationToken cancellationToken)
    {
        var name = folder + part.Name;
        var info = await store.GetInfoAsync(name, cancellationToken);
        if (info is null)
            return $"missing from {store.Location}";
        if (info.Size != part.StoredSize)
            return $"{info.Size} bytes stored, the manifest says {part.StoredSize}";

        try
        {
            await using var plaintext = new MeteredReadStream(await PartReader.OpenAsync(
                store, name, manifest.BackupId, part, manifest, dataKey, cancellationToken));
            ArchiveProgress? files = null;
            string? dumpCheck = null;
            switch (part.Kind)
            {
                case "index":
                    // Every line parses and names a volume of the manifest, the volumes in ascending order (the
                    // contract of docs/format.md); the entries themselves are checked against the volumes. An entry of
                    // an unlisted volume would be skipped by every reader: a file the restore silently leaves out.
                    // An incremental backup's entries pointing into earlier backups: backups and volumes its
                    // references list, only files, grouped in the references' order (IndexGroups).
                    var groups = new IndexGroups(manifest);
                    await foreach (var entry in FileIndex.ReadEntriesAsync(plaintext, cancellationToken))
                        groups.Place(entry);
                    groups.End();
                    break;
                case "files":
                    await using (var index = await PartReader.OpenAsync(
                        store, folder + indexPart!.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken))
                    {
                        files = await ArchiveVerifier.VerifyAsync(
                            plaintext, part.Name, FileIndex.ReadEntriesAsync(index, cancellationToken), findings.Rules, cancellationToken);
                    }
                    break;
                case "database":
                    dumpCheck = await CheckDumpAsync(plaintext, part.Name, cancellationToken);
                    break;
            }

            // Whatever the parser left is read too, so that the end of the part (last chunk, stored hash) is checked.
            await plaintext.DrainAsync(cancellationToken);
            if (plaintext.BytesRead != part.PlainSize)
                return $"{plaintext.BytesRead} plaintext bytes, the manifest says {part.PlainSize}";

            if (files is { } checkedFiles)
            {
                findings.Files = (findings.Files ?? 0) + checkedFiles.Files;
                findings.FilesBytes = (findings.FilesBytes ?? 0) + checkedFiles.Bytes;
            }
            findings.DumpCheck ??= dumpCheck;
            return null;
        }
        catch (IntegrityException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or NotSupportedException)
        {
            return $"cannot be parsed: {e.Message}";
        }
        catch (StoreObjectNotFoundException)
        {
            return $"disappeared from {store.Location} while it was read";
        }
    }

    /// <summary>
    /// The dump must start with the custom-format signature and be listed by pg_restore; where pg_restore is not
    /// installed, the signature alone is checked (and said so).
    /// </summary>
    private async Task<string> CheckDumpAsync(MeteredReadStream dump, string partName, CancellationToken cancellationToken)
    {
        string how;
        try
        {
            await restorer.CheckDumpAsync(dump, cancellationToken);
            how = "listed by pg_restore --list";
        }
        catch (PostgresToolException e) when (e.InnerException is Win32Exception)
        {
            await dump.DrainAsync(cancellationToken);
            how = "has the custom-format signature (pg_restore not found, so not listed)";
        }
        catch (PostgresToolException e)
        {
            throw new IntegrityException(partName, $"pg_restore cannot read the dump: {e.Message}", e);
        }

        if (!dump.Head.StartsWith(DumpMagic))
            throw new IntegrityException(partName, "the dump does not start with the pg_dump custom-format signature PGDMP");
        return how;
    }

    /// <summary>What one verification has found so far.</summary>
    private sealed class Findings(string folder)
    {
        public List<string> Problems { get; } = [];

        public int Objects { get; set; }

        public long Bytes { get; set; }

        public long? Files { get; set; }

        public long? FilesBytes { get; set; }

        public string? DumpCheck { get; set; }

        /// <summary>
        /// <paramref name="name"/> without the folder of all backups (<c>&lt;prefix&gt;/backups/</c>), so that an object of a
        /// referenced backup reads <c>&lt;backup&gt;/&lt;part&gt;</c>.
        /// </summary>
        public string Relative(string name)
        {
            var root = folder.Length > 1 ? folder[..(folder.LastIndexOf('/', folder.Length - 2) + 1)] : "";
            return root.Length > 0 && name.StartsWith(root, StringComparison.Ordinal) ? name[root.Length..] : name;
        }

        /// <summary>The restore's entry rules, over every file volume of the backup (a link in one counts for the next).</summary>
        public ArchiveEntryRules Rules { get; } = new();

        /// <summary>
        /// Adds one line for <paramref name="objectName"/>. The readers name objects by their full name in the store;
        /// the line names them inside the backup's folder, and always starts with the object.
        /// </summary>
        public void Add(string objectName, string message)
        {
            if (folder.Length > 0 && message.StartsWith(folder, StringComparison.Ordinal))
                message = message[folder.Length..];
            else
                message = Relative(message);
            Problems.Add(message.StartsWith(objectName + ": ", StringComparison.Ordinal) ? message : $"{objectName}: {message}");
        }
    }
}
