using System.CommandLine;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;

namespace BackupCli.Commands;

/// <summary>
/// <c>backupctl ls --from &lt;uri&gt;</c>: every backup in a destination, from its manifest alone (no key needed to
/// read it; its authenticity is checked by <c>verify --read-data</c> and <c>restore</c>). Folders with parts but no
/// manifest are shown as incomplete.
/// </summary>
internal static class LsCommand
{
    public const string Complete = "complete";
    public const string Incomplete = "incomplete";
    public const string Unreadable = "unreadable";

    private static readonly string[] Header = ["BACKUP ID", "STATUS", "CREATED", "CONTENTS", "COMPRESSION", "ENCRYPTION", "STORED", "FILES", "TABLES"];

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
        foreach (var (backupId, objects) in await StoredBackups.ListAsync(store, destination.Prefix, cancellationToken))
        {
            var storedBytes = objects.Sum(o => o.Size);
            var manifestName = ObjectNames.BackupFolder(destination.Prefix, backupId) + ObjectNames.Manifest;
            if (!objects.Any(o => o.Name == manifestName))
            {
                backups.Add(new BackupListing(backupId, Incomplete, storedBytes, objects.Count) { Problem = "no manifest.json: the backup did not finish" });
                continue;
            }

            try
            {
                var manifest = (await StoredBackups.ReadManifestAsync(store, destination, backupId, cancellationToken)).Manifest;
                backups.Add(Describe(manifest, storedBytes, objects.Count));
            }
            catch (Exception ex) when (ex is IntegrityException or NotSupportedException)
            {
                backups.Add(new BackupListing(backupId, Unreadable, storedBytes, objects.Count) { Problem = ex.Message });
            }
        }

        if (json)
        {
            CliOutput.WriteJson(context, new { destination = destination.ToString(), backups });
            return ExitCodes.Ok;
        }

        if (backups.Count == 0)
        {
            context.Stdout.WriteLine($"No backups in {destination}.");
            return ExitCodes.Ok;
        }

        var rows = new List<string[]> { Header };
        foreach (var b in backups)
        {
            rows.Add(
            [
                b.BackupId,
                b.Status,
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
        foreach (var b in backups.Where(b => b.Problem is not null))
            context.Stdout.WriteLine($"{b.BackupId}: {b.Problem}");
        return ExitCodes.Ok;
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
