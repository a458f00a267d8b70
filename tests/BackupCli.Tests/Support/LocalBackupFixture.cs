namespace BackupCli.Tests.Support;

/// <summary>One full backup (database + site) made by backupctl into a bare local folder, shared by a test class.</summary>
public sealed class LocalBackupFixture : IAsyncLifetime
{
    public CmsSource Source { get; private set; } = null!;

    public string DestinationFolder { get; private set; } = null!;

    public string Destination => Cli.FileUri(DestinationFolder);

    public string BackupId { get; private set; } = null!;

    public Dictionary<string, long> SourceRowCounts { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Source = await CmsSource.CreateAsync();
        SourceRowCounts = await Source.Database.RowCountsAsync();
        DestinationFolder = Source.NewFolder("dest");
        var result = await Cli.RunAsync(
            "backup", "--to", Destination, "--site", Source.SiteRoot, "--db", Source.Database.ConnectionString,
            "--key-file", Source.KeyFile, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        BackupId = result.Json().GetProperty("backupId").GetString()!;
    }

    /// <summary>A copy of the destination folder that a test may damage.</summary>
    public string CopyDestination()
    {
        var copy = Source.NewFolder("dest-copy");
        foreach (var file in Directory.EnumerateFiles(DestinationFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(DestinationFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public string PartPath(string folder, string part) => Path.Combine(folder, "backups", BackupId, part);

    public async Task DisposeAsync() => await Source.DisposeAsync();
}
