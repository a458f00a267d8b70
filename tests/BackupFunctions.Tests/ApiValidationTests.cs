using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// Bad input on every endpoint gets 400/404 with a ProblemDetails body naming the field, and writes nothing.
/// </summary>
public sealed class ApiValidationTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private object ValidConfig(string container = "backups") => new
    {
        name = "site",
        files = new { root = Directory.CreateDirectory(host.Scratch("site")).FullName },
        schedule = new { frequency = "daily", time = "02:30", timeZone = "Europe/Berlin" },
        storage = new { type = "azureBlob", container },
    };

    public static TheoryData<string, string> BadConfigs => new()
    {
        { "{", "body" },
        { "", "body" },
        { "null", "body" },
        { "[1,2]", "body" },
        { """{"files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "name" },
        { """{"name":"a","files":{"root":"/srv"},"storage":{"type":"local","path":"x"}}""", "schedule" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"colour":"red"}""", "colour" },
        { """{"name":"a","files":{"root":"/srv","extra":1},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "files.extra" },
        { """{"name":42,"files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "name" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local"}}""", "storage.path" },
        { """{"name":"","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "name" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "database" },
        { """{"name":"a","files":{"root":"relative/path"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "files.root" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"daily","time":"25:00","timeZone":"UTC"},"storage":{"type":"local","path":"x"}}""", "schedule.time" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"daily","time":"02:00","timeZone":"Mars/Olympus"},"storage":{"type":"local","path":"x"}}""", "schedule.timeZone" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"fortnightly"},"storage":{"type":"local","path":"x"}}""", "schedule.frequency" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"ftp"}}""", "storage.type" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"azureBlob","container":"Bad_Name"}}""", "storage.container" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"../escape"}}""", "storage.path" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"compression":{"level":10}}""", "compression.level" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"compression":{"algorithm":"rar"}}""", "compression.algorithm" },
        { """{"name":"a","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"algorithm":"rot13"}}""", "encryption.algorithm" },
        { """{"name":"a","database":{"host":"db","port":70000,"database":"cms","username":"u"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "database.port" },
        { """{"name":"a","database":{"host":"db","database":"cms","username":"u","passwordSetting":"hunter2 is my password"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "database.passwordSetting" },
        { """{"name":"a","database":{"host":"db","database":"cms"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "database.username" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task A_bad_config_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var before = await CountConfigsAsync();
        using var response = await host.Http.PostAsync("api/backup-configs", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemNamesAsync(response, field);
        Assert.Equal(before, await CountConfigsAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        using var response = await host.Http.PostAsync("api/backup-configs", new StringContent("name=a", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemNamesAsync(response, "body");
    }

    [Fact]
    public async Task A_valid_config_is_created_and_read_back_with_its_next_run()
    {
        using var response = await host.Http.PostAsJsonAsync("api/backup-configs", ValidConfig());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/api/backup-configs/{id}", response.Headers.Location?.ToString());

        var read = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{id}");
        Assert.Equal("site", read.GetProperty("name").GetString());
        Assert.Equal("02:30", read.GetProperty("schedule").GetProperty("time").GetString());
        Assert.Equal("zstd", read.GetProperty("compression").GetProperty("algorithm").GetString());
        var next = DateTimeOffset.Parse(read.GetProperty("nextRunAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(next > DateTimeOffset.UtcNow && next < DateTimeOffset.UtcNow.AddDays(1).AddHours(1));

        var list = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-configs?pageSize=100");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("api/backup-configs/cfg-doesnotexist")]
    [InlineData("api/backup-configs/has%20space")]
    [InlineData("api/backups/0000000000000000000-nope")]
    [InlineData("api/backup-jobs/0000000000000000000-nope")]
    [InlineData("api/backup-jobs/a%23b")]
    public async Task An_unknown_id_is_404_with_a_problem_body(string url)
    {
        using var response = await host.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("api/backup-configs?pageSize=0", "pageSize")]
    [InlineData("api/backup-configs?pageSize=101", "pageSize")]
    [InlineData("api/backups?pageSize=abc", "pageSize")]
    [InlineData("api/backups?continuationToken=%00garbage", "continuationToken")]
    public async Task Bad_paging_is_refused_naming_the_parameter(string url, string field)
    {
        using var response = await host.Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemNamesAsync(response, field);
    }

    [Theory]
    [InlineData("{}", "configId")]
    [InlineData("""{"configId": 5}""", "configId")]
    [InlineData("""{"configId": "x", "now": true}""", "now")]
    [InlineData("not json", "body")]
    public async Task Starting_a_backup_with_a_bad_body_is_refused_and_starts_nothing(string body, string field)
    {
        var before = await CountJobsAsync();
        using var response = await host.Http.PostAsync("api/backups", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertProblemNamesAsync(response, field);
        Assert.Equal(before, await CountJobsAsync());
    }

    [Fact]
    public async Task Starting_a_backup_of_an_unknown_config_is_404_naming_configId_and_starts_nothing()
    {
        var before = await CountJobsAsync();
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId = "cfg-000000000000" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertProblemNamesAsync(response, "configId");
        Assert.Equal(before, await CountJobsAsync());
    }

    private static async Task AssertProblemNamesAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await ProblemAssert.NamesFieldAsync(response, field, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
    }

    private async Task<int> CountConfigsAsync()
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var count = 0;
        await foreach (var _ in catalog.Configs.AllAsync(default))
            count++;
        return count;
    }

    private async Task<int> CountJobsAsync()
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        return (await catalog.Jobs.ListAsync(100, null, default)).Items.Count;
    }
}
