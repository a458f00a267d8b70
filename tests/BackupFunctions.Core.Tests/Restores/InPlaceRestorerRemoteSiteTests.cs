using System.Security.Cryptography;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// The restore's steps (<see cref="InPlaceRestorer"/>, as the restore activities run them) into a site kept in Azurite
/// Blob (<see cref="InPlaceRestoreTarget.SiteTarget"/>): a real encrypted backup written by the engine's writers into a
/// store, read back through BackupVolumes (download, decryption, decompression) straight into the container.
/// </summary>
public sealed class InPlaceRestorerRemoteSiteTests : IAsyncLifetime
{
    private const string Prefix = "site1";
    private const string BackupId = "b-remote-1";
    private static readonly string[] Components = ["config", "themes", "uploads"];

    private readonly TempFolder _temp = new();
    private readonly BlobContainerClient _container =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("restorer"));
    private LocalKeyFileKek _kek = null!;
    private LocalFolderStore _store = null!;

    public async Task InitializeAsync()
    {
        var keyFile = _temp.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        _kek = new LocalKeyFileKek(keyFile);
        _store = new LocalFolderStore(_temp.Combine("store"));
        await _container.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _container.DeleteIfExistsAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Every_step_of_the_restorer_restores_a_blob_site_in_place()
    {
        var site = _temp.Combine("site");
        Write(site, "uploads/a.txt", "original a"u8.ToArray());
        Write(site, "uploads/2024/photo.jpg", RandomNumberGenerator.GetBytes(400_000));
        Write(site, "themes/t1/style.css", "body{}"u8.ToArray());
        Write(site, "config/settings.php", "<?php"u8.ToArray());
        await BackUpAsync(site);

        var target = new AzureBlobSiteTarget(_container, "cms");
        foreach (var file in Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories))
        {
            await using var content = File.OpenRead(file);
            await target.WriteFileAsync(Path.GetRelativePath(site, file), content, DateTimeOffset.UnixEpoch, 0, CancellationToken.None);
        }
        using (var edited = new MemoryStream("edited"u8.ToArray()))
            await target.WriteFileAsync("uploads/a.txt", edited, DateTimeOffset.UnixEpoch, 0, CancellationToken.None);
        using (var extra = new MemoryStream("extra"u8.ToArray()))
            await target.WriteFileAsync("uploads/new.txt", extra, DateTimeOffset.UnixEpoch, 0, CancellationToken.None);

        var restorer = new InPlaceRestorer(_kek, new PostgresToolsOptions(), NullLogger<InPlaceRestorer>.Instance);
        var request = new InPlaceRestoreTarget("job-1", _store, Prefix, BackupId, SiteRoot: null, Database: null) { SiteTarget = target };
        var proof = await restorer.ProveAsync(request, CancellationToken.None);
        Assert.True(proof.Files);
        var staged = await restorer.StageFilesAsync(request, null, null, CancellationToken.None);
        Assert.Equal((0L, 4L, 1L), (staged!.Created, staged.Overwritten, staged.Deleted)); // new.txt to delete
        await restorer.SwapFilesAsync(request, CancellationToken.None);
        var verified = await restorer.VerifyFilesAsync(request, null, CancellationToken.None);
        Assert.Equal(4, verified!.Verified);
        Assert.NotNull(await restorer.CompleteAsync(request, CancellationToken.None));

        foreach (var file in Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories))
        {
            await using var live = await target.OpenReadAsync(Path.GetRelativePath(site, file), CancellationToken.None);
            using var copy = new MemoryStream();
            await live.CopyToAsync(copy);
            Assert.Equal(await File.ReadAllBytesAsync(file), copy.ToArray());
        }
        Assert.Null(await target.GetEntryAsync("uploads/new.txt", CancellationToken.None));
        Assert.Null(await target.GetEntryAsync(".bf-restore-job-1", CancellationToken.None));
    }

    /// <summary>A real encrypted backup of the site's files, as the service writes it.</summary>
    private async Task BackUpAsync(string siteRoot)
    {
        var folder = ObjectNames.BackupFolder(Prefix, BackupId);
        var key = RandomNumberGenerator.GetBytes(32);
        var settings = new PartSettings();
        var files = await BackupWriter.WriteFilesAsync(_store, folder, BackupId, settings, key, new FilesSource { Root = siteRoot, Components = Components }, null, default);
        var envelope = await _kek.WrapAsync(key, default);
        var createdAt = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
        await BackupWriter.WriteManifestAsync(_store, folder, new ManifestDraft(BackupId, "cfg", createdAt, createdAt.AddMinutes(1), settings, envelope, null, files), key, default);
    }

    private static void Write(string root, string relative, byte[] content)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
