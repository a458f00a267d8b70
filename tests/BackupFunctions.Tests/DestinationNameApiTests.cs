using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Tests.Storage;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// Every prefix, local path and remote base folder that the write path refuses (the tables of
/// <see cref="DestinationNameRuleTests"/>, which check the write side) is refused when posted, with a 400 naming the
/// field, and nothing is stored. So are local modes that would open backups to other users, and names with control
/// characters (they end up in logs and messages).
/// </summary>
public sealed class DestinationNameApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    public static TheoryData<string> BadPrefixes => DestinationNameRuleTests.BadPrefixes;

    public static TheoryData<string> BadLocalPaths => DestinationNameRuleTests.BadLocalPaths;

    public static TheoryData<string> BadBasePaths => DestinationNameRuleTests.BadBasePaths;

    [Theory]
    [MemberData(nameof(BadPrefixes))]
    public async Task A_prefix_the_stores_refuse_is_refused_when_a_config_is_posted(string prefix)
    {
        await AssertConfigRefusedAsync(Config(new { type = "local", path = "names", prefix }), "storage.prefix");
        await AssertConfigRefusedAsync(Config(new { type = "azureBlob", container = host.Container, prefix }), "storage.prefix");
    }

    [Theory]
    [MemberData(nameof(BadLocalPaths))]
    public async Task A_local_path_the_factory_refuses_is_refused_in_a_config_and_in_a_storage_location(string path)
    {
        await AssertConfigRefusedAsync(Config(new { type = "local", path }), "storage.path");
        await AssertLocationRefusedAsync(new { name = "local", type = "local", settings = new { path } }, "settings.path");
    }

    [Theory]
    [MemberData(nameof(BadBasePaths))]
    public async Task A_base_path_the_stores_refuse_is_refused_in_an_sftp_or_ftp_location(string path)
    {
        await AssertLocationRefusedAsync(new
        {
            name = "sftp", type = "sftp",
            settings = new { host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User, path, hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = "p" },
        }, "settings.path");
        await AssertLocationRefusedAsync(new
        {
            name = "ftp", type = "ftp",
            settings = new { host = "127.0.0.1", user = "u", path },
            secrets = new { password = "p" },
        }, "settings.path");
    }

    [Theory]
    [InlineData("fileMode", "0644")]
    [InlineData("fileMode", "0666")]
    [InlineData("fileMode", "0604")]
    [InlineData("fileMode", "0400")]
    [InlineData("folderMode", "0755")]
    [InlineData("folderMode", "0777")]
    [InlineData("folderMode", "0600")]
    public async Task A_local_mode_that_opens_backups_to_other_users_is_refused(string setting, string mode)
    {
        var settings = new Dictionary<string, string> { ["path"] = "modes", [setting] = mode };
        await AssertLocationRefusedAsync(new { name = "modes", type = "local", settings }, $"settings.{setting}");
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("escape\u001b[31m")]
    [InlineData("nul\u0000")]
    public async Task A_name_with_control_characters_is_refused(string name)
    {
        await AssertConfigRefusedAsync(new
        {
            name,
            files = new { root = Directory.CreateDirectory(host.Scratch("site")).FullName },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "names" },
        }, "name");
        await AssertLocationRefusedAsync(new { name, type = "local", settings = new { path = "names" } }, "name");
    }

    private object Config(object storage) => new
    {
        name = "names",
        files = new { root = Directory.CreateDirectory(host.Scratch("site")).FullName },
        schedule = new { frequency = "manual" },
        storage,
    };

    private async Task AssertConfigRefusedAsync(object config, string field)
    {
        var before = await CountAsync();
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", config);
        await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Equal(before, await CountAsync());
    }

    private async Task AssertLocationRefusedAsync(object location, string field)
    {
        var before = await CountAsync();
        using var response = await host.Http.PostAsJsonAsync("api/backup-storage", location);
        await ProblemAssert.NamesFieldAsync(response, field);
        Assert.Equal(before, await CountAsync());
    }

    private async Task<(int Configs, int Locations)> CountAsync()
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var configs = 0;
        await foreach (var _ in catalog.Configs.AllAsync(default))
            configs++;
        var locations = 0;
        string? token = null;
        do
        {
            var page = await catalog.StorageLocations.ListAsync(100, token, default);
            locations += page.Items.Count;
            token = page.ContinuationToken;
        }
        while (token is not null);
        return (configs, locations);
    }
}
