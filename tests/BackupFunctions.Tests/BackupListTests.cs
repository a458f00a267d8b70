using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// GET /api/backups filters by config, type, status and time and answers totalCount from the counter rows (the same
/// number as the listing holds); each bad filter is refused naming it.
/// </summary>
public sealed class BackupListTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Filters_keep_what_they_name_and_total_count_matches_the_listing()
    {
        var site = host.Scratch("list-site");
        Directory.CreateDirectory(Path.Combine(site, "config"));
        File.WriteAllText(Path.Combine(site, "config", "settings.php"), "<?php\n");
        var configId = await host.CreateConfigAsync(new
        {
            name = "listed",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "listed" },
        });
        var first = await BackUpAsync(configId);
        var second = await BackUpAsync(configId);
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var secondRecord = (await catalog.Backups.GetAsync(second, CancellationToken.None))!;
        // A suspect backup (its id sorts right after the second's): listed with status, never a restore point.
        var suspect = second + "-suspect";
        await catalog.Backups.UpsertAsync(secondRecord with { Id = suspect, Status = BackupStatuses.VerificationFailed, CreatedAt = secondRecord.CreatedAt.AddMinutes(1) }, CancellationToken.None);

        var points = await ListAsync($"configId={configId}");
        Assert.Equal([second, first], Ids(points));
        Assert.Equal(2, points.GetProperty("totalCount").GetInt64());

        var any = await ListAsync($"configId={configId}&status=any");
        Assert.Equal([second, suspect, first], Ids(any));
        Assert.Equal(3, any.GetProperty("totalCount").GetInt64());

        var suspects = await ListAsync($"configId={configId}&status=verification_failed");
        Assert.Equal([suspect], Ids(suspects));
        Assert.Equal(1, suspects.GetProperty("totalCount").GetInt64());
        var several = await ListAsync($"configId={configId}&status=verification_failed,completed");
        Assert.Equal(3, several.GetProperty("totalCount").GetInt64());

        Assert.Equal(2, (await ListAsync($"configId={configId}&type=files")).GetProperty("totalCount").GetInt64());
        var full = await ListAsync($"configId={configId}&type=full");
        Assert.Empty(Ids(full));
        Assert.Equal(0, full.GetProperty("totalCount").GetInt64());

        // A time range: from inclusive, to exclusive, on createdAt; no counter answers it.
        var createdAt = secondRecord.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        var since = await ListAsync($"configId={configId}&status=any&from={createdAt}");
        Assert.Equal([second, suspect], Ids(since));
        Assert.Equal(JsonValueKind.Null, since.GetProperty("totalCount").ValueKind);
        var before = await ListAsync($"configId={configId}&to={createdAt}");
        Assert.Equal([first], Ids(before));

        // Paging keeps the filter; the whole catalog's count is the number of rows listed.
        var page = await ListAsync($"configId={configId}&status=any&pageSize=2");
        Assert.Equal([second, suspect], Ids(page));
        var next = await ListAsync($"configId={configId}&status=any&pageSize=2&continuationToken={Uri.EscapeDataString(page.GetProperty("continuationToken").GetString()!)}");
        Assert.Equal([first], Ids(next));
        var all = new List<string>();
        string? token = null;
        long? total = null;
        do
        {
            var p = await ListAsync("pageSize=100" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token)));
            total ??= p.GetProperty("totalCount").GetInt64();
            all.AddRange(Ids(p));
            token = p.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        Assert.Equal(all.Count, total);
    }

    [Theory]
    [InlineData("configId=not%20an%20id", "configId")]
    [InlineData("type=weekly", "type")]
    [InlineData("status=done", "status")]
    [InlineData("status=completed,nope", "status")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-01-01T00:00:00", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [InlineData("pageSize=0", "pageSize")]
    public async Task A_bad_filter_is_refused_naming_it(string query, string field)
    {
        using var response = await host.Http.GetAsync($"api/backups?{query}");
        await ProblemAssert.NamesFieldAsync(response, field);
    }

    private async Task<JsonElement> ListAsync(string query)
    {
        using var response = await host.Http.GetAsync($"api/backups?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<string> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("id").GetString()!)];

    private Task<string> BackUpAsync(string configId) => JobPolling.BackUpAsync(host.Http, configId);
}
