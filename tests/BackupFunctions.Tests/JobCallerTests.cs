using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// Backup jobs carry the seed's words: <c>name</c> (config and date), <c>type</c>, <c>createdBy</c> (the CMS's
/// X-Requested-By, the App Service principal, or both), and once completed the <c>result</c> the backup row holds.
/// </summary>
public sealed class JobCallerTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_job_names_its_caller_and_embeds_the_result_once_completed()
    {
        var configId = await ConfigAsync("Caller site");

        var jobId = await StartAsync(configId, ("X-Requested-By", "Alice Admin"));
        var pending = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
        Assert.Equal("Alice Admin", pending.GetProperty("createdBy").GetString());
        Assert.Matches(@"^Caller site \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$", pending.GetProperty("name").GetString());
        Assert.Equal("files", pending.GetProperty("type").GetString());

        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{jobId}");
        var result = job.GetProperty("result");
        Assert.Equal(jobId, result.GetProperty("backupId").GetString());
        Assert.Equal(backup.GetProperty("sizeBytes").GetInt64(), result.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(backup.GetProperty("checksum").GetString(), result.GetProperty("checksum").GetString());
        Assert.Equal(backup.GetProperty("statistics").GetProperty("files").GetInt64(), result.GetProperty("files").GetInt64());
        Assert.Equal("files", result.GetProperty("type").GetString());
        Assert.True(result.GetProperty("durationSeconds").GetDouble() > 0);
        Assert.Single(result.GetProperty("locations").EnumerateArray());

        // The listing carries it too (it is kept on the job, not looked up).
        var listed = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs?configId={configId}");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal(jobId, item.GetProperty("result").GetProperty("backupId").GetString());
    }

    [Fact]
    public async Task The_principal_the_platform_names_is_kept_and_nothing_named_is_api()
    {
        var configId = await ConfigAsync("principals", maxConcurrent: 3);

        var both = await StartAsync(configId, ("X-Requested-By", "bob"), ("X-MS-CLIENT-PRINCIPAL-NAME", "cms-prod@contoso.example"));
        var principal = await StartAsync(configId, ("X-MS-CLIENT-PRINCIPAL-NAME", "cms-prod@contoso.example"));
        var anonymous = await StartAsync(configId);

        Assert.Equal("bob (via cms-prod@contoso.example)", await CreatedByAsync(both));
        Assert.Equal("cms-prod@contoso.example", await CreatedByAsync(principal));
        Assert.Equal("api", await CreatedByAsync(anonymous));
        foreach (var id in new[] { both, principal, anonymous })
            await JobPolling.WaitForJobAsync(host.Http, id, TimeSpan.FromMinutes(2));
    }

    [Theory]
    [InlineData("X-Requested-By", "Alice\tAdmin")]
    [InlineData("X-Requested-By", "")]
    [InlineData("X-MS-CLIENT-PRINCIPAL-NAME", "cms\tprod")]
    public async Task A_caller_header_that_is_not_a_printable_name_is_refused_naming_it(string header, string value)
    {
        var configId = await ConfigAsync("refused callers");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/backups") { Content = JsonContent.Create(new { configId }) };
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await host.Http.SendAsync(request);
        await ProblemAssert.NamesFieldAsync(response, header);
    }

    [Fact]
    public async Task A_caller_name_longer_than_128_characters_is_refused()
    {
        var configId = await ConfigAsync("long callers");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/backups") { Content = JsonContent.Create(new { configId }) };
        request.Headers.Add("X-Requested-By", new string('a', 129));
        using var response = await host.Http.SendAsync(request);
        await ProblemAssert.NamesFieldAsync(response, "X-Requested-By");
    }

    private async Task<string> ConfigAsync(string name, int maxConcurrent = 1)
    {
        var site = host.Scratch(name.Replace(' ', '-'));
        Directory.CreateDirectory(Path.Combine(site, "config"));
        File.WriteAllText(Path.Combine(site, "config", "settings.php"), "<?php\n");
        return await host.CreateConfigAsync(new
        {
            name,
            files = new { root = site },
            schedule = new { frequency = "manual" },
            maxConcurrent,
            storage = new { type = "local", path = "callers" },
        });
    }

    private async Task<string> StartAsync(string configId, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/backups") { Content = JsonContent.Create(new { configId }) };
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        using var response = await host.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
    }

    private async Task<string?> CreatedByAsync(string jobId)
        => (await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}")).GetProperty("createdBy").GetString();
}
