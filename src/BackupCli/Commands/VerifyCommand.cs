using System.Buffers;
using System.CommandLine;
using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Verification;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl verify</c>: checks every stored object's size and SHA-256 against the manifest; whenever a key is
/// given, the manifest's MAC first (a wrong key, an altered manifest or one swapped for an unencrypted one is an
/// integrity failure). With <c>--read-data</c> (key needed) it also runs the engine's <see cref="DeepVerifier"/>: every
/// part decrypted and decompressed to its manifest's plainSize, the file volume parsed (every file's SHA-256 against
/// the index) and the database dump listed by pg_restore. A part the manifest lists that is missing is an integrity
/// failure (exit 3) either way.
/// </summary>
internal sealed class VerifyCommand
{
    private readonly Option<string> _from = new("--from")
    {
        Description = "Destination URI: file:///absolute/path or azblob://container[/prefix].",
        HelpName = "uri",
        Required = true,
    };

    private readonly Argument<string> _backupId = new("backup-id") { Description = "The backup to verify (see backupctl ls)." };

    private readonly Option<bool> _readData = new("--read-data")
    {
        Description = "Also decrypt, decompress and parse every part (needs the key).",
    };

    private readonly KeyArguments _key = new();
    private readonly CliContext _context;
    private readonly Option<bool> _json;

    private VerifyCommand(CliContext context, Option<bool> json)
    {
        _context = context;
        _json = json;
    }

    public static Command Create(CliContext context, Option<bool> json)
    {
        var handler = new VerifyCommand(context, json);
        var command = new Command("verify", "Check a backup: sizes and SHA-256 of every stored object; with --read-data, every byte.")
        {
            handler._from, handler._backupId, handler._readData,
        };
        handler._key.AddTo(command);
        command.SetAction((parse, ct) => handler.RunAsync(parse, ct));
        return command;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var json = parse.GetValue(_json);
        var readData = parse.GetValue(_readData);
        var destination = DestinationUri.Parse(parse.GetRequiredValue(_from));
        var backupId = parse.GetRequiredValue(_backupId);
        var store = destination.CreateStore(_context, mustExist: true);

        var unverified = await StoredBackups.ReadManifestAsync(store, destination, backupId, cancellationToken);
        var kek = readData && unverified.Manifest.Key is not null
            ? _key.Require(parse, _context, "verify --read-data")
            : _key.Resolve(parse, _context);
        var folder = ObjectNames.BackupFolder(destination.Prefix, backupId);
        // With a key the manifest is authenticated before anything it lists is believed: without this, a quick verify
        // with the key would pass a manifest (and the sizes and hashes in it) that anyone able to write could forge.
        var authentic = kek is not null && await AuthenticateAsync(store, folder, unverified, kek, backupId, cancellationToken);
        var report = await ProgressBars.RunAsync(_context, json, async bars =>
        {
            var report = new VerifyReport(backupId, destination.ToString(), readData) { ManifestAuthentic = authentic };
            foreach (var part in unverified.Manifest.Objects)
                report.Objects.Add(await CheckStoredAsync(bars, store, folder, part, hashContent: !readData, cancellationToken));
            // An incremental backup's referenced volumes, in the earlier backups' folders beside it: there with the size
            // and SHA-256 the reference records (the deep check reads them too). Named <backup>/<part>.
            foreach (var reference in ManifestReferences.Of(unverified.Manifest))
            {
                var referenced = ChainFolders.Beside(folder, reference.BackupId);
                foreach (var part in reference.Objects)
                {
                    var check = await CheckStoredAsync(bars, store, referenced, part, hashContent: !readData, cancellationToken);
                    report.Objects.Add(check with
                    {
                        Name = reference.BackupId + "/" + part.Name,
                        Error = check.Error is null ? null : reference.BackupId + "/" + check.Error,
                    });
                }
            }
            if (readData && report.Ok)
                await ReadDataAsync(bars, report, store, folder, kek, cancellationToken);
            return report;
        });

        if (json)
        {
            CliOutput.WriteJson(_context, report);
        }
        else
        {
            _context.Stdout.WriteLine($"Backup {backupId} in {destination}:");
            CliOutput.WriteTable(_context.Stdout, [.. report.Objects.Select(o => new[] { "  " + o.Name, CliOutput.Bytes(o.StoredSize), o.Error is null ? "ok" : "FAILED: " + o.Error })]);
            if (report.Ok)
            {
                _context.Stdout.WriteLine(readData
                    ? $"OK: manifest authentic, every part decrypts; {report.Files} files ({CliOutput.Bytes(report.FilesBytes ?? 0)}) match the index; dump {report.DumpCheck ?? "none"}."
                    : report.ManifestAuthentic
                        ? $"OK: manifest authentic; size and SHA-256 of {report.Objects.Count} objects match it (add --read-data to check every byte)."
                        : $"OK: size and SHA-256 of {report.Objects.Count} objects match the manifest (add the key to check that the manifest is authentic, and --read-data to check every byte).");
                if (report.OutsideLinkCount is { } outside and > 0)
                {
                    _context.Stdout.WriteLine(outside == 1
                        ? "Note: 1 symbolic link points outside the site; a restore writes it as it is and names it."
                        : $"Note: {outside} symbolic links point outside the site; a restore writes them as they are and names them.");
                }
            }
        }

        if (report.Ok)
            return ExitCodes.Ok;
        _context.Stderr.WriteLine($"backupctl: integrity failure: {report.Objects.First(o => o.Error is not null).Error}");
        return ExitCodes.Integrity;
    }

    /// <summary>
    /// Checks the manifest's MAC with the data key <paramref name="kek"/> unwraps. With a key, a manifest without MAC
    /// (encryption none) is refused as a possible downgrade, as restore refuses it. Throws
    /// <see cref="IntegrityException"/> (exit 3) when the manifest is not authentic or the key is not the backup's.
    /// </summary>
    /// <remarks>
    /// An incremental backup's referenced backups are authenticated too (each one's manifest, own key and MAC, its
    /// listing of each referenced volume equal to the reference, the volume there with that size): a missing or
    /// different one is an integrity failure naming it.
    /// </remarks>
    private static async Task<bool> AuthenticateAsync(
        IBackupStore store, string folder, UnverifiedManifest unverified, IKeyEncryptionKey kek, string backupId, CancellationToken cancellationToken)
    {
        byte[] dataKey;
        try
        {
            dataKey = await ManifestKeys.OpenAsync(unverified, kek, allowUnencrypted: false, cancellationToken);
        }
        catch (IntegrityException e) when (e.ObjectName is null)
        {
            // Thrown by the key itself: the envelope is not one it made (wrong key or passphrase, edited envelope).
            throw new IntegrityException(ObjectNames.Manifest, $"the data key cannot be unwrapped with this key: {e.Message}", e);
        }

        try
        {
            var manifest = unverified.Verify(dataKey, backupId);
            using (await ReferencedBackups.OpenAsync(store, folder, manifest, kek, allowUnencrypted: false, cancellationToken))
                return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The object is there with the manifest's size (and, unless the data is read later anyway, its SHA-256).</summary>
    private static async Task<ObjectCheck> CheckStoredAsync(
        ProgressBars bars, IBackupStore store, string folder, StoredPart part, bool hashContent, CancellationToken cancellationToken)
    {
        var name = folder + part.Name;
        var check = new ObjectCheck(part.Name, part.Kind, part.StoredSize);
        var info = await store.GetInfoAsync(name, cancellationToken);
        if (info is null)
            return check with { Error = $"{part.Name}: listed in the manifest but missing from the destination" };
        if (info.Size != part.StoredSize)
            return check with { Error = $"{part.Name}: {info.Size} bytes stored, the manifest says {part.StoredSize}" };
        if (!hashContent)
            return check;

        var step = bars.Start($"hash {part.Name}", part.StoredSize);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            await using var stream = await store.OpenReadAsync(name, cancellationToken);
            long total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                step.Report(total);
            }
            if (total != part.StoredSize)
                return check with { Error = $"{part.Name}: {total} bytes read, the manifest says {part.StoredSize}" };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        step.Complete();

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return string.Equals(actual, part.Sha256, StringComparison.OrdinalIgnoreCase)
            ? check
            : check with { Error = $"{part.Name}: SHA-256 of the stored bytes does not match the manifest (the object was altered or damaged)" };
    }

    /// <summary>The engine's deep verification of the copy, its findings put on the report's objects.</summary>
    private async Task ReadDataAsync(
        ProgressBars bars, VerifyReport report, IBackupStore store, string folder, IKeyEncryptionKey? kek, CancellationToken cancellationToken)
    {
        var step = bars.Start("read every part", report.Objects.Sum(o => o.StoredSize));
        var verifier = new DeepVerifier(new PostgresRestorer(_context.PostgresTools), TimeProvider.System);
        var result = await verifier.VerifyAsync(store, folder, report.BackupId, kek, allowUnencrypted: kek is null, cancellationToken);
        step.Complete();

        // Every problem line starts with its object. A wrong key or an altered manifest (manifest.json) is a failure of
        // the whole backup, not of one part: it fails the command (exit 3) as any integrity failure does.
        foreach (var problem in result.Problems)
        {
            var position = report.Objects.FindIndex(o => problem.StartsWith(o.Name + ": ", StringComparison.Ordinal));
            if (position < 0)
                throw new IntegrityException(problem);
            report.Objects[position] = report.Objects[position] with { Error = report.Objects[position].Error ?? problem };
        }
        report.ManifestAuthentic = true;
        report.Files = result.Files;
        report.FilesBytes = result.FilesBytes;
        report.DumpCheck = result.DumpCheck;
        report.OutsideLinkCount = result.OutsideLinkCount;
    }
}
