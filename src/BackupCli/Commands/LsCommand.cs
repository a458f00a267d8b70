using System.CommandLine;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl ls --from &lt;uri&gt;</c>: every backup in a destination, from its manifest alone (no key needed to
/// read it; its authenticity is checked by <c>verify</c> with a key and by <c>restore</c>). Folders with parts but no
/// manifest are shown as incomplete. A backup whose manifest lists a part that the destination does not hold (or
/// holds with another size) is <c>damaged</c>, one whose manifest cannot be read (malformed, oversized) is
/// <c>unreadable</c>: both are integrity failures, and the listing exits 3 after printing them. Each backup's type
/// and, for an incremental one, its base and the earlier backups it reads from (its chain: every backup its index points
/// into, which must be in the same destination and prefix; one missing there makes it <c>damaged</c>).
/// </summary>
internal static class LsCommand
{
    public const string Complete = "complete";
    public const string Incomplete = "incomplete";
    public const string Unreadable = "unreadable";
    public const string Damaged = "damaged";

    private static readonly string[] Header = ["BACKUP ID", "STATUS", "TYPE", "BASE", "CREATED", "CONTENTS", "COMPRESSION", "ENCRYPTION", "STORED", "FILES", "TABLES"];

    public static Command Create(CliContext context, Option<bool> json)
    {
        var from = new Option<string>("--from")
        {
            Description = "Destination URI: file:///absolute/path or azblob://container[/prefix].",
            HelpName = "uri",
            Required = true,
        };
        var command = new Command("ls", "List the backups in a destination, newest first, from their manifests.") { from };
        command.SetAction((parse, ct) => RunAsync(context, parse.GetRequiredValue(from), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string from, bool json, CancellationToken cancellationToken)
    {
        var destination = DestinationUri.Parse(from);
        var store = destination.CreateStore(context, mustExist: true);
        var backups = new List<BackupListing>();
        string? integrityFailure = null;
        var stored = await StoredBackups.ListAsync(store, destination.Prefix, cancellationToken);
        // Every object of the destination by name: an incremental backup's referenced volumes are in other folders.
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var info in stored.SelectMany(b => b.Objects))
            sizes[info.Name] = info.Size;
        foreach (var (backupId, objects) in stored)
        {
            var storedBytes = objects.Sum(o => o.Size);
            var folder = ObjectNames.BackupFolder(destination.Prefix, backupId);
            var manifestName = folder + ObjectNames.Manifest;
            if (!objects.Any(o => o.Name == manifestName))
            {
                backups.Add(new BackupListing(backupId, Incomplete, storedBytes, objects.Count) { Problem = "no manifest.json: the backup did not finish" });
                continue;
            }

            try
            {
                var manifest = (await StoredBackups.ReadManifestAsync(store, destination, backupId, cancellationToken)).Manifest;
                var listing = Describe(manifest, storedBytes, objects.Count);
                if (MissingOrResized(manifest, folder, sizes) is { } problem)
                {
                    listing = listing with { Status = Damaged, Problem = problem };
                    integrityFailure ??= $"{backupId}: {problem}";
                }
                backups.Add(listing);
            }
            catch (IntegrityException ex)
            {
                backups.Add(new BackupListing(backupId, Unreadable, storedBytes, objects.Count) { Problem = ex.Message });
                integrityFailure ??= $"{backupId}: {ex.Message}";
            }
            catch (NotSupportedException ex)
            {
                // A newer format: nothing is wrong with the data, this backupctl is too old to read it.
                backups.Add(new BackupListing(backupId, Unreadable, storedBytes, objects.Count) { Problem = ex.Message });
            }
        }

        var exitCode = ExitCodes.Ok;
        if (integrityFailure is not null)
        {
            context.Stderr.WriteLine($"backupctl: integrity failure: {integrityFailure}");
            exitCode = ExitCodes.Integrity;
        }

        if (json)
        {
            CliOutput.WriteJson(context, new { destination = destination.ToString(), backups });
            return exitCode;
        }

        if (backups.Count == 0)
        {
            context.Stdout.WriteLine($"No backups in {destination}.");
            return exitCode;
        }

        var rows = new List<string[]> { Header };
        foreach (var b in backups)
        {
            rows.Add(
            [
                b.BackupId,
                b.Status,
                b.Type ?? "-",
                b.BaseBackupId ?? "-",
                b.CreatedAt is { } at ? CliOutput.Time(at) : "-",
                b.Contents.Count > 0 ? string.Join('+', b.Contents) : "-",
                b.Compression is null ? "-" : $"{b.Compression}-{b.CompressionLevel}",
                b.Encryption ?? "-",
                CliOutput.Bytes(b.StoredBytes),
                b.Files?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                b.Tables?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            ]);
        }
        CliOutput.WriteTable(context.Stdout, rows);
        foreach (var b in backups.Where(b => b.References is not null))
            context.Stdout.WriteLine($"{b.BackupId}: incremental on {b.BaseBackupId ?? "-"}, reads unchanged files from {string.Join(", ", b.References!)}");
        foreach (var b in backups.Where(b => b.Problem is not null))
            context.Stdout.WriteLine($"{b.BackupId}: {b.Problem}");
        return exitCode;
    }

    /// <summary>
    /// What the listing already shows about the parts the manifest lists: one that is not there, or not with the
    /// manifest's stored size — and, for an incremental backup, the referenced backups' manifests and volumes (named
    /// <c>&lt;backup&gt;/&lt;part&gt;</c>) in the same destination and prefix, with the reference's stored size. Null when
    /// everything is there. (The listing costs nothing extra; contents are <c>verify</c>'s business.)
    /// </summary>
    private static string? MissingOrResized(BackupManifest manifest, string folder, IReadOnlyDictionary<string, long> stored)
    {
        var problems = new List<string>();
        foreach (var part in manifest.Objects)
        {
            if (!stored.TryGetValue(folder + part.Name, out var size))
                problems.Add($"{part.Name}: listed in the manifest but missing from the destination");
            else if (size != part.StoredSize)
                problems.Add($"{part.Name}: {size} bytes stored, the manifest says {part.StoredSize}");
        }

        foreach (var reference in ManifestReferences.Of(manifest))
        {
            var referenced = ChainFolders.Beside(folder, reference.BackupId);
            if (!stored.ContainsKey(referenced + ObjectNames.Manifest))
            {
                problems.Add($"{reference.BackupId}/{ObjectNames.Manifest}: backup {reference.BackupId}, which this backup references, is missing from the destination");
                continue;
            }
            foreach (var part in reference.Objects)
            {
                if (!stored.TryGetValue(referenced + part.Name, out var size))
                    problems.Add($"{reference.BackupId}/{part.Name}: referenced but missing from the destination");
                else if (size != part.StoredSize)
                    problems.Add($"{reference.BackupId}/{part.Name}: {size} bytes stored, the reference says {part.StoredSize}");
            }
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static BackupListing Describe(BackupManifest manifest, long storedBytes, int objectCount)
    {
        var contents = new List<string>();
        if (manifest.Objects.Any(o => o.Kind == "database"))
            contents.Add("database");
        if (manifest.Objects.Any(o => o.Kind == "files"))
            contents.Add("files");
        return new BackupListing(manifest.BackupId, Complete, storedBytes, objectCount)
        {
            ConfigId = manifest.ConfigId,
            CreatedAt = manifest.CreatedAt,
            CompletedAt = manifest.CompletedAt,
            Type = manifest.Type,
            BaseBackupId = manifest.BaseBackupId,
            References = ManifestReferences.Of(manifest).Count == 0 ? null : ManifestReferences.BackupIds(manifest),
            Contents = contents,
            Compression = manifest.Compression,
            CompressionLevel = manifest.CompressionLevel,
            Encryption = manifest.Encryption,
            KeyType = manifest.Key?.KekType ?? "none",
            KeyId = manifest.Key?.KeyId,
            Files = manifest.Statistics.Files,
            FilesBytes = manifest.Statistics.FilesBytes,
            Tables = manifest.Database?.Tables.Count,
            Database = manifest.Database?.Database,
            CompressionRatio = manifest.Statistics.CompressionRatio,
        };
    }
}
