using System.Buffers;
using System.CommandLine;
using System.ComponentModel;
using System.Security.Cryptography;
using BackupCli.Verification;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl verify</c>: without a key, checks every stored object's size and SHA-256 against the manifest.
/// With <c>--read-data</c> (key needed) it also checks the manifest's MAC, decrypts and decompresses every part, parses
/// the file volume (every file's SHA-256 against the index) and the database dump (pg_restore --list).
/// </summary>
internal sealed class VerifyCommand
{
    /// <summary>What a PostgreSQL custom-format dump starts with.</summary>
    private static readonly byte[] DumpMagic = "PGDMP"u8.ToArray();

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
        var report = await ProgressBars.RunAsync(_context, json, async bars =>
        {
            var report = new VerifyReport(backupId, destination.ToString(), readData);
            foreach (var part in unverified.Manifest.Objects)
                report.Objects.Add(await CheckStoredAsync(bars, store, folder, part, hashContent: !readData, cancellationToken));
            if (readData && report.Ok)
                await ReadDataAsync(bars, report, store, folder, unverified, kek!, cancellationToken);
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
                    : $"OK: size and SHA-256 of {report.Objects.Count} objects match the manifest (add --read-data and the key to check every byte).");
            }
        }

        if (report.Ok)
            return ExitCodes.Ok;
        _context.Stderr.WriteLine($"backupctl: integrity failure: {report.Objects.First(o => o.Error is not null).Error}");
        return ExitCodes.Integrity;
    }

    /// <summary>The object is there with the manifest's size (and, unless the data is read later anyway, its SHA-256).</summary>
    private static async Task<ObjectCheck> CheckStoredAsync(
        ProgressBars bars, IBackupStore store, string folder, StoredPart part, bool hashContent, CancellationToken cancellationToken)
    {
        var name = folder + part.Name;
        var check = new ObjectCheck(part.Name, part.Kind, part.StoredSize);
        var info = await store.GetInfoAsync(name, cancellationToken);
        if (info is null)
            return check with { Error = $"{part.Name}: missing from the destination" };
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

    private async Task ReadDataAsync(
        ProgressBars bars, VerifyReport report, IBackupStore store, string folder, UnverifiedManifest unverified, IKeyEncryptionKey? kek,
        CancellationToken cancellationToken)
    {
        // A wrong key or an altered manifest is a failure of the whole backup, not of one part: it propagates (exit 3).
        var dataKey = await ManifestKeys.OpenAsync(unverified, kek, allowUnencrypted: kek is null, cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, report.BackupId);
            report.ManifestAuthentic = true;
            var indexPart = manifest.Objects.FirstOrDefault(p => p.Kind == "index");
            var indexReadable = false;
            // The index first: the file volumes are checked against it, read again in step with each volume.
            foreach (var part in manifest.Objects.OrderBy(p => p.Kind == "index" ? 0 : 1))
            {
                var position = report.Objects.FindIndex(o => o.Name == part.Name);
                var step = bars.Start($"read {part.Name}", part.StoredSize);
                try
                {
                    await using var plaintext = new MeteredReadStream(await PartReader.OpenAsync(
                        store, folder + part.Name, manifest.BackupId, part, manifest, dataKey, cancellationToken));
                    switch (part.Kind)
                    {
                        case "index":
                            await foreach (var _ in FileIndex.ReadEntriesAsync(plaintext, cancellationToken))
                            {
                                // Every line parses; the entries themselves are checked against the volumes.
                            }
                            indexReadable = true;
                            break;
                        case "files":
                            if (indexPart is null)
                                throw new IntegrityException(part.Name, "the manifest lists no index.bin for it");
                            if (!indexReadable)
                                throw new IntegrityException(part.Name, $"not checked: {indexPart.Name} failed");
                            await using (var index = await PartReader.OpenAsync(
                                store, folder + indexPart.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken))
                            {
                                var checkedFiles = await ArchiveVerifier.VerifyAsync(
                                    plaintext, part.Name, FileIndex.ReadEntriesAsync(index, cancellationToken), cancellationToken);
                                report.Files = (report.Files ?? 0) + checkedFiles.Files;
                                report.FilesBytes = (report.FilesBytes ?? 0) + checkedFiles.Bytes;
                            }
                            break;
                        case "database":
                            report.DumpCheck = await CheckDumpAsync(plaintext, part.Name, cancellationToken);
                            break;
                    }
                    await plaintext.DrainAsync(cancellationToken);
                    if (plaintext.BytesRead != part.PlainSize)
                        throw new IntegrityException(part.Name, $"{plaintext.BytesRead} plaintext bytes, the manifest says {part.PlainSize}");
                    step.Complete();
                }
                catch (Exception ex) when (ex is IntegrityException or InvalidDataException or FormatException or EndOfStreamException)
                {
                    var message = ex is IntegrityException ? ex.Message : $"{part.Name}: cannot be parsed: {ex.Message}";
                    report.Objects[position] = report.Objects[position] with { Error = message };
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The dump must be a custom-format dump that pg_restore can list (when pg_restore is installed).</summary>
    private async Task<string> CheckDumpAsync(MeteredReadStream dump, string partName, CancellationToken cancellationToken)
    {
        string how;
        try
        {
            await new PostgresRestorer(_context.PostgresTools).CheckDumpAsync(dump, cancellationToken);
            how = "listed by pg_restore --list";
        }
        catch (PostgresToolException ex) when (ex.InnerException is Win32Exception)
        {
            await dump.DrainAsync(cancellationToken);
            how = "has the custom-format signature (pg_restore not found, so not listed)";
        }
        catch (PostgresToolException ex)
        {
            throw new IntegrityException(partName, $"pg_restore cannot read the dump: {ex.Message}", ex);
        }

        if (!dump.Head.StartsWith(DumpMagic))
            throw new IntegrityException(partName, "the dump does not start with the pg_dump custom-format signature PGDMP");
        return how;
    }
}
