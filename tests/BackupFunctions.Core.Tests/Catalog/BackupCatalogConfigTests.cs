using System.Text.RegularExpressions;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class BackupCatalogConfigTests : CatalogTestBase
{
    [Fact]
    public async Task Created_config_reads_back_with_all_fields_and_times_from_the_clock()
    {
        var config = SampleConfig("shop");

        var created = await Catalog.Configs.CreateAsync(config, CancellationToken.None);
        var read = await Catalog.Configs.GetAsync(created.Id, CancellationToken.None);

        Assert.Matches(new Regex("^cfg-[0-9a-f]{24}$"), created.Id);
        Assert.Equal(Time.GetUtcNow(), created.CreatedAt);
        Assert.Equal(Time.GetUtcNow(), created.UpdatedAt);
        Assert.NotNull(read);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(created.CreatedAt, read.CreatedAt);
        Assert.Equal(created.UpdatedAt, read.UpdatedAt);
        Assert.Equivalent(config, read.Config, strict: true);
        Assert.Equal(["uploads", "themes"], read.Config.Files!.Components);
    }

    [Fact]
    public async Task Config_row_has_camelCase_json_and_readable_columns()
    {
        var created = await Catalog.Configs.CreateAsync(SampleConfig("blog"), CancellationToken.None);

        TableEntity raw = await ConfigsTable.GetEntityAsync<TableEntity>("config", created.Id);

        Assert.Equal("blog", raw.GetString("Name"));
        Assert.Equal(created.CreatedAt, raw.GetDateTimeOffset("CreatedAt"));
        var json = raw.GetString("Config");
        Assert.Contains("\"schedule\":{\"frequency\":\"daily\",\"time\":\"02:30\",\"timeZone\":\"Europe/Berlin\"}", json, StringComparison.Ordinal);
        Assert.Contains("\"passwordSetting\":\"BackupSecrets__BLOG_DB_PASSWORD\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("%00")]
    [InlineData("Y29uZmlnIA")]                 // "config " : no row key
    [InlineData("bm9zcGFjZQ")]                 // "nospace" : not a pair of keys
    public async Task A_forged_continuation_token_is_refused(string token)
    {
        await Catalog.Configs.CreateAsync(SampleConfig("a"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Catalog.Configs.ListAsync(3, token, CancellationToken.None));
        Assert.Equal("continuationToken", error.ParamName);
    }

    [Fact]
    public async Task Configs_list_newest_first_across_pages_with_continuation_tokens()
    {
        var createdOldestFirst = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            createdOldestFirst.Add((await Catalog.Configs.CreateAsync(SampleConfig($"site{i}"), CancellationToken.None)).Id);
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        var page1 = await Catalog.Configs.ListAsync(3, null, CancellationToken.None);
        var page2 = await Catalog.Configs.ListAsync(3, page1.ContinuationToken, CancellationToken.None);
        var page3 = await Catalog.Configs.ListAsync(3, page2.ContinuationToken, CancellationToken.None);

        Assert.Equal(3, page1.Items.Count);
        Assert.Equal(3, page2.Items.Count);
        Assert.Single(page3.Items);
        Assert.NotNull(page1.ContinuationToken);
        Assert.NotNull(page2.ContinuationToken);
        Assert.Null(page3.ContinuationToken);
        var listed = page1.Items.Concat(page2.Items).Concat(page3.Items).ToList();
        Assert.Equal(Enumerable.Reverse(createdOldestFirst), listed.Select(c => c.Id));
        Assert.Equal(["site6", "site5", "site4", "site3", "site2", "site1", "site0"], listed.Select(c => c.Config.Name));
        Assert.True(listed.Zip(listed.Skip(1)).All(pair => pair.First.CreatedAt > pair.Second.CreatedAt));

        var all = new List<StoredBackupConfig>();
        await foreach (var config in Catalog.Configs.AllAsync(CancellationToken.None))
            all.Add(config);
        Assert.Equal(listed.Select(c => c.Id), all.Select(c => c.Id));
    }

    [Fact]
    public async Task Configs_created_in_the_same_millisecond_get_distinct_ids()
    {
        var a = await Catalog.Configs.CreateAsync(SampleConfig("a"), CancellationToken.None);
        var b = await Catalog.Configs.CreateAsync(SampleConfig("b"), CancellationToken.None);

        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal(a.Id[..16], b.Id[..16]);
        Assert.Equal(2, (await Catalog.Configs.ListAsync(10, null, CancellationToken.None)).Items.Count);
    }

    [Fact]
    public async Task Empty_table_lists_an_empty_last_page()
    {
        var page = await Catalog.Configs.ListAsync(5, null, CancellationToken.None);

        Assert.Empty(page.Items);
        Assert.Null(page.ContinuationToken);
    }

    [Theory]
    [InlineData("cfg-000000000000000000000000")]
    [InlineData("no/such#id?")]
    [InlineData("")]
    public async Task Get_of_a_missing_config_is_null(string id)
        => Assert.Null(await Catalog.Configs.GetAsync(id, CancellationToken.None));

    [Fact]
    public async Task Too_large_config_is_refused_with_a_clear_error_and_nothing_is_written()
    {
        var huge = SampleConfig("huge") with
        {
            Files = new FilesSource { Root = "/var/www", Components = Enumerable.Range(0, 4000).Select(i => $"folder-{i:D5}").ToList() },
        };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Catalog.Configs.CreateAsync(huge, CancellationToken.None));

        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
        Assert.Empty((await Catalog.Configs.ListAsync(10, null, CancellationToken.None)).Items);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-1)]
    public async Task Page_size_outside_1_to_100_is_refused(int pageSize)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Catalog.Configs.ListAsync(pageSize, null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Catalog.Jobs.ListAsync(pageSize, null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Catalog.Backups.ListAsync(pageSize, null, CancellationToken.None));
    }

    [Fact]
    public async Task Page_size_100_is_accepted()
        => Assert.Empty((await Catalog.Configs.ListAsync(100, null, CancellationToken.None)).Items);

    [Fact]
    public async Task Corrupt_config_json_gives_InvalidDataException_naming_table_and_row()
    {
        await ConfigsTable.AddEntityAsync(new TableEntity("config", "cfg-broken")
        {
            ["Config"] = "{\"name\": ",
            ["CreatedAt"] = Time.GetUtcNow(),
            ["UpdatedAt"] = Time.GetUtcNow(),
        });

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Catalog.Configs.GetAsync("cfg-broken", CancellationToken.None));

        Assert.Contains(Prefix + "BackupConfigs", e.Message, StringComparison.Ordinal);
        Assert.Contains("cfg-broken", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidDataException>(() => Catalog.Configs.ListAsync(10, null, CancellationToken.None));
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("ab-c")]
    [InlineData("ab_c")]
    public void Table_prefix_must_be_alphanumeric_starting_with_a_letter(string prefix)
        => Assert.Throws<ArgumentException>(() => new BackupCatalog(Service, prefix, Time));

    internal static BackupConfig SampleConfig(string name) => new()
    {
        Name = name,
        Database = new DatabaseSource { Host = "db.example", Port = 6432, Database = name, Username = "cms", PasswordSetting = "BackupSecrets__" + name.ToUpperInvariant() + "_DB_PASSWORD" },
        Files = new FilesSource { Root = "/var/www/" + name, Components = ["uploads", "themes"] },
        Schedule = new BackupSchedule { Frequency = "daily", Time = "02:30", TimeZone = "Europe/Berlin" },
        Storage = new StorageDestination { Type = "azureBlob", Container = "backups", Prefix = name },
        Compression = new CompressionOptions { Algorithm = "zstd", Level = 7 },
        Encryption = new EncryptionOptions { Algorithm = "aes-256-gcm" },
    };
}
