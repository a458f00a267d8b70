using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// maxConcurrent under simultaneous manual starts, over real HTTP on the local host against Azurite: the check and the
/// insert are one guarded step, so ten requests racing for the free places never get more than there are.
/// </summary>
public sealed class ConcurrentStartTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    private const int Requests = 10;
    private const int Rounds = 6;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Ten_simultaneous_starts_of_one_config_start_exactly_maxConcurrent_jobs_and_the_rest_get_409(int maxConcurrent)
    {
        var site = host.Scratch("site");
        Directory.CreateDirectory(Path.Combine(site, "config"));
        await File.WriteAllTextAsync(Path.Combine(site, "config", "settings.php"), "<?php define('DB_NAME', 'cms');\n");

        var started = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var configId = await host.CreateConfigAsync(new
            {
                name = $"racing {maxConcurrent}/{round}",
                files = new { root = site, components = new[] { "config" } },
                schedule = new { frequency = "manual" },
                storage = new { type = "local", path = $"racing-{maxConcurrent}-{round}-{Guid.NewGuid():N}"[..30] },
                maxConcurrent,
            });

            // All requests are built first and released together, so they reach the API at the same moment.
            using var go = new SemaphoreSlim(0, Requests);
            var posts = Enumerable.Range(0, Requests).Select(async _ =>
            {
                await go.WaitAsync();
                using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
                return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            go.Release(Requests);
            var answers = await Task.WhenAll(posts);

            var accepted = answers.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
            var refused = answers.Where(a => a.StatusCode == HttpStatusCode.Conflict).ToList();
            Assert.True(accepted.Count == maxConcurrent && refused.Count == Requests - maxConcurrent,
                $"round {round}: {accepted.Count} started and {refused.Count} refused with maxConcurrent {maxConcurrent}: "
                + string.Join(" | ", answers.Select(a => $"{(int)a.StatusCode} {a.Body}")));
            Assert.All(refused, r => Assert.Contains($"maxConcurrent {maxConcurrent}", r.Body, StringComparison.Ordinal));

            // The catalog agrees: exactly the started jobs exist for the config.
            var jobs = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs?configId={configId}&pageSize=100");
            var ids = jobs.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()!).ToList();
            Assert.Equal(accepted.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("jobId").GetString()!).Order(StringComparer.Ordinal),
                ids.Order(StringComparer.Ordinal));
            started.AddRange(ids);
        }

        foreach (var jobId in started)
        {
            var finished = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
            Assert.True(finished.GetProperty("status").GetString() == "completed", finished.ToString());
        }
    }
}
