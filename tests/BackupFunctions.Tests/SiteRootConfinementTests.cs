using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// A config backs up only folders inside Files:AllowedRoots (the host allows its scratch folder), symbolic links
/// resolved, when it is posted and again when the backup reads the site.
/// </summary>
public sealed class SiteRootConfinementTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>, IDisposable
{
    private const string OutsideMarker = "OUTSIDE-THE-ALLOWED-ROOT-4f1c2a";

    /// <summary>A folder outside every allowed root, with what must never be backed up.</summary>
    private readonly TempFolder _outside = CreateOutside();

    public void Dispose() => _outside.Dispose();

    private static TempFolder CreateOutside()
    {
        var folder = new TempFolder("bf-outside-");
        foreach (var component in new[] { "uploads", "config", "etc" })
        {
            Directory.CreateDirectory(folder.Combine(component));
            File.WriteAllText(folder.Combine(component, "secret.txt"), OutsideMarker);
        }
        return folder;
    }

    [Fact]
    public async Task Root_slash_with_etc_and_home_unencrypted_is_refused_naming_files_root()
    {
        await AssertRefusedAsync(new
        {
            name = "whole disk",
            files = new { root = "/", components = new[] { "etc", "home" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "grab" },
            encryption = new { algorithm = "none" },
        }, "files.root", "Files__AllowedRoots");
    }

    [Fact]
    public async Task A_root_outside_the_allowed_roots_is_refused()
    {
        await AssertRefusedAsync(Config(_outside.Path), "files.root", "Files__AllowedRoots");
        await AssertRefusedAsync(Config(Path.Combine(host.SitesRoot, "..", "stores")), "files.root", "Files__AllowedRoots");
    }

    [Fact]
    public async Task A_root_inside_the_allowed_root_that_links_outside_is_refused()
    {
        var link = host.Scratch("link-out");
        Directory.CreateSymbolicLink(link, _outside.Path);

        await AssertRefusedAsync(Config(link), "files.root", "symbolic link");
        await AssertRefusedAsync(Config(Path.Combine(link, "etc")), "files.root", "symbolic link");
    }

    [Fact]
    public async Task A_root_that_links_to_another_allowed_folder_is_accepted()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var link = host.Scratch("link-in");
        Directory.CreateSymbolicLink(link, site);

        var id = await host.CreateConfigAsync(Config(link));

        var job = await BackupAsync(id);
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
    }

    public static TheoryData<string> BadComponents => new() { "", ".", "..", "/", "/etc", "../etc", "uploads/../..", "a/b", "up..", "a\u0001" };

    [Theory]
    [MemberData(nameof(BadComponents))]
    public async Task A_component_that_is_not_a_folder_name_under_the_root_is_refused(string component)
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        await AssertRefusedAsync(new
        {
            name = "components",
            files = new { root = site, components = new[] { "uploads", component } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "components" },
        }, "files.components", "");
    }

    [Fact]
    public async Task A_root_replaced_by_a_link_to_outside_after_the_config_was_stored_fails_the_job_and_stores_nothing_from_outside()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var path = "swapped-" + Guid.NewGuid().ToString("N")[..8];
        var id = await host.CreateConfigAsync(new
        {
            name = "swapped",
            files = new { root = site, components = new[] { "uploads", "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path },
            // Neither compressed nor encrypted: a byte from outside would show as it is in the stored volume.
            compression = new { algorithm = "none" },
            encryption = new { algorithm = "none" },
        });
        Directory.Move(site, site + "-moved");
        Directory.CreateSymbolicLink(site, _outside.Path);

        var job = await BackupAsync(id);

        Assert.True(job.GetProperty("status").GetString() == "failed", job.ToString());
        Assert.Contains("Files__AllowedRoots", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertNothingFromOutsideUnder(Path.Combine(host.LocalRoot, path));
    }

    [Fact]
    public async Task A_config_stored_before_the_rule_with_a_root_outside_fails_the_job()
    {
        var path = "planted-" + Guid.NewGuid().ToString("N")[..8];
        var stored = await host.Host.Services.GetRequiredService<BackupCatalog>().Configs.CreateAsync(new BackupConfig
        {
            Name = "planted",
            Files = new FilesSource { Root = _outside.Path, Components = ["etc", "config"] },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = path },
            Compression = new CompressionOptions { Algorithm = "none" },
            Encryption = new EncryptionOptions { Algorithm = "none" },
        }, default);

        var job = await BackupAsync(stored.Id);

        Assert.True(job.GetProperty("status").GetString() == "failed", job.ToString());
        Assert.Contains("Files__AllowedRoots", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertNothingFromOutsideUnder(Path.Combine(host.LocalRoot, path));
    }

    private static void AssertNothingFromOutsideUnder(string folder)
    {
        if (!Directory.Exists(folder))
            return;
        var marker = Encoding.UTF8.GetBytes(OutsideMarker);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(marker) < 0, $"{file} holds a file from outside the allowed root");
    }

    private static object Config(string root) => new
    {
        name = "confined",
        files = new { root, components = new[] { "uploads", "config", "etc" } },
        schedule = new { frequency = "manual" },
        storage = new { type = "local", path = "confined-" + Guid.NewGuid().ToString("N")[..8] },
    };

    private async Task AssertRefusedAsync(object config, string field, string says)
    {
        var before = await CountConfigsAsync();
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", config);
        var messages = await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(says, StringComparison.Ordinal));
        Assert.Equal(before, await CountConfigsAsync());
    }

    private async Task<int> CountConfigsAsync()
    {
        var count = 0;
        await foreach (var _ in host.Host.Services.GetRequiredService<BackupCatalog>().Configs.AllAsync(default))
            count++;
        return count;
    }

    private async Task<JsonElement> BackupAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        return await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
    }
}
