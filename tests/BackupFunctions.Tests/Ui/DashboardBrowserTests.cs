using System.Formats.Tar;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace BackupFunctions.Tests.Ui;

/// <summary>
/// The dashboard and configuration pages in Debian's Chromium (headless, driven by Playwright) against the local host
/// with real PostgreSQL and Azurite: a config made on the configuration page, Backup Now followed to 100 %, the backup
/// in Recent Backups, the restore dialog's preview and a restore followed to its end, an alert acknowledged, the
/// download checked as a tar. Screenshots land in the test project's TestResults/browser.
/// Filter: <c>--filter FullyQualifiedName~DashboardBrowserTests</c>.
/// </summary>
public sealed class DashboardBrowserTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const string FunctionKey = "browser-test-key-7Qx";

    [Fact]
    public async Task A_config_made_on_the_page_is_backed_up_from_the_dashboard_previewed_restored_and_its_alert_acknowledged()
    {
        var dbName = TestEnvironment.UniqueName("uicms");
        var restoredDb = TestEnvironment.UniqueName("uirest");
        var db = await SampleCms.CreateDatabaseAsync(dbName);
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var storagePath = "ui-" + Guid.NewGuid().ToString("N")[..8];
        var locationId = await host.CreateStorageAsync(new { name = "ui local " + storagePath, type = "local", settings = new { path = storagePath + "-loc" } });
        var (brokenId, alertId) = await ConfigWithOpenAlertAsync();
        await using var browser = await BrowserSession.StartAsync();
        var page = browser.Page;
        try
        {
            // The configuration page: the key is asked for once, then the form is filled in by its labels.
            await page.GotoAsync(new Uri(host.Host.BaseAddress, "api/ui/config.html").ToString());
            await EnterKeyAsync(page);
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Browser CMS");
            await page.GetByLabel("Description (optional)").FillAsync("");
            await page.GetByLabel("Host").FillAsync(db.Host);
            await page.GetByLabel("Port").FillAsync(db.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.GetByLabel("Database", new() { Exact = true }).FillAsync(db.Database);
            await page.GetByLabel("User").FillAsync(db.Username);
            await page.GetByLabel("Site root folder").FillAsync(site);
            await page.GetByLabel("Frequency").SelectOptionAsync("daily");
            await page.GetByLabel("Time (24 h)").FillAsync("03:15");
            await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
            await page.GetByLabel("Primary destination").SelectOptionAsync("local");
            await page.GetByLabel("Folder", new() { Exact = true }).FillAsync(storagePath);
            await page.GetByLabel("Keep daily").FillAsync("7");

            // A bad field first: the service's 400 lands next to it.
            await page.GetByLabel("Time zone").FillAsync("Mars/Olympus");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#f-timezone-error")).Not.ToBeEmptyAsync();
            await Expect(page.Locator("#f-timezone")).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.Locator("#f-timezone")).ToBeFocusedAsync();
            await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator("#form-message")).ToContainTextAsync("Saved");
            var configId = new Uri(page.Url).Query.Split("id=")[1];
            Assert.StartsWith("cfg-", configId, StringComparison.Ordinal);
            var stored = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
            Assert.Equal(("Browser CMS", site, "daily", "03:15", "Europe/Berlin", storagePath, 7),
                (stored.GetProperty("name").GetString(), stored.GetProperty("files").GetProperty("root").GetString(),
                 stored.GetProperty("schedule").GetProperty("frequency").GetString(), stored.GetProperty("schedule").GetProperty("time").GetString(),
                 stored.GetProperty("schedule").GetProperty("timeZone").GetString(), stored.GetProperty("storage")[0].GetProperty("path").GetString(),
                 stored.GetProperty("retention").GetProperty("keepDaily").GetInt32()));
            Assert.Equal(db.Database, stored.GetProperty("database").GetProperty("database").GetString());

            // A storage location's Test, on the same page.
            var locationRow = page.Locator($"tr[data-storage-id='{locationId}']");
            await locationRow.GetByRole(AriaRole.Button).ClickAsync();
            await Expect(locationRow.Locator("td").Nth(2)).ToContainTextAsync("Passed", new() { Timeout = 30_000 });
            // The config's Test: the checks once POST .../test exists (issue 15 item 2), a clear message before.
            await page.GetByRole(AriaRole.Button, new() { Name = "Test", Exact = true }).ClickAsync();
            await Expect(page.Locator("#test-result")).ToContainTextAsync(
                new System.Text.RegularExpressions.Regex("Every check passed|does not offer the config test"), new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new() { Path = Artifact("configuration-page.png"), FullPage = true });

            // The dashboard, for this config: Backup Now, followed to 100 %.
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to the dashboard" }).ClickAsync();
            await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
            await Expect(page.Locator("#key-dialog")).Not.ToBeVisibleAsync();
            await Expect(page.Locator("#config-select")).ToHaveValueAsync(configId);
            await Expect(page.Locator("#status-next")).Not.ToHaveTextAsync("Manual only");
            await page.GetByRole(AriaRole.Button, new() { Name = "Backup Now" }).ClickAsync();
            var job = page.Locator("li.job").First;
            await Expect(job).ToBeVisibleAsync();
            var jobId = await job.GetAttributeAsync("data-job-id");
            Assert.NotNull(jobId);
            var seen = new SortedSet<double>();
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && await job.Locator(".job-status").TextContentAsync() is not ("completed" or "failed" or "cancelled"))
            {
                seen.Add(await job.Locator("progress").EvaluateAsync<double>("p => p.value"));
                await Task.Delay(150);
            }
            output.WriteLine($"progress values seen: {string.Join(", ", seen)}");
            await Expect(job.Locator(".job-status")).ToHaveTextAsync("completed");
            Assert.Equal(100, await job.Locator("progress").EvaluateAsync<double>("p => p.value"));
            await Expect(job.Locator(".job-percent")).ToHaveTextAsync("100%");
            await Expect(job.Locator(".job-cancel")).ToBeHiddenAsync();
            await Expect(page.Locator("#jobs-live")).ToContainTextAsync("completed");

            // Recent Backups shows it; the status cards count it.
            var row = page.Locator($"#backups-table tr[data-backup-id='{jobId}']");
            await Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(row).ToContainTextAsync("completed");
            await Expect(page.Locator("#status-total")).ToHaveTextAsync("1");
            await Expect(page.Locator("#status-last")).Not.ToContainTextAsync("None yet");
            await page.ScreenshotAsync(new() { Path = Artifact("dashboard.png"), FullPage = true });

            // Details.
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new("^Details") }).ClickAsync();
            await Expect(page.Locator("#details-dialog")).ToContainTextAsync(jobId!);
            await page.Locator("#details-dialog").GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

            // Cleanup: the retention plan (keep daily 7) keeps the one backup and removes nothing.
            await page.GetByRole(AriaRole.Button, new() { Name = "Cleanup" }).ClickAsync();
            await Expect(page.Locator("#cleanup-body")).ToContainTextAsync("Keep 1, remove 0");
            await Expect(page.Locator("#cleanup-apply")).ToBeDisabledAsync();
            await page.Locator("#cleanup-dialog").GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

            // The restore dialog: in place, the preview comes first and shows that nothing would change.
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new("^Restore") }).ClickAsync();
            var dialog = page.Locator("#restore-dialog");
            await Expect(dialog).ToBeVisibleAsync();
            await Expect(dialog.Locator("#preview-files tr[data-group='create'] td").First).ToHaveTextAsync("0", new() { Timeout = 60_000 });
            await Expect(dialog.Locator("#preview-files tr[data-group='overwrite'] td").First).ToHaveTextAsync("0");
            await Expect(dialog.Locator("#preview-files tr[data-group='delete'] td").First).ToHaveTextAsync("0");
            var unchanged = int.Parse(await dialog.Locator("#preview-files tr[data-group='unchanged'] td").First.TextContentAsync() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(unchanged >= 8, $"unchanged {unchanged}");
            await Expect(dialog.Locator("#preview-tables")).ToContainTextAsync("public.posts");
            await Expect(dialog.Locator("#preview-tables")).ToContainTextAsync("replace");
            await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Start restore" })).ToBeDisabledAsync();
            await page.ScreenshotAsync(new() { Path = Artifact("restore-preview.png"), FullPage = true });

            // Into a new folder and database: a new preview (everything created), then the restore, followed to its end.
            var target = host.Scratch("restored");
            await dialog.GetByLabel("Into a new folder and database").CheckAsync();
            await dialog.GetByLabel("Target folder").FillAsync(target);
            await dialog.GetByLabel("Target database").FillAsync(restoredDb);
            await dialog.GetByLabel("Target database").PressAsync("Tab");
            // Each change asks for a new preview; the last one is the one the restore starts from.
            await Expect(dialog.Locator("#restore-preview")).ToHaveAttributeAsync("aria-busy", "false", new() { Timeout = 60_000 });
            await Expect(dialog.Locator("#preview-files tr[data-group='create'] td").First).Not.ToHaveTextAsync("0", new() { Timeout = 60_000 });
            await Expect(dialog.Locator("#preview-tables")).ToContainTextAsync("create");
            await dialog.GetByLabel("I have read the preview: restore now").CheckAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Start restore" }).ClickAsync();
            await Expect(dialog.Locator("#restore-status")).ToContainTextAsync("completed", new() { Timeout = 180_000 });
            Assert.Equal(100, await dialog.Locator("#restore-progress").EvaluateAsync<double>("p => p.value"));
            await Expect(dialog.Locator("#restore-message")).ToContainTextAsync("files written");
            Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), FolderSnapshot.Take(target));
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

            // The other config's open alert, acknowledged from the dashboard.
            await page.Locator("#config-select").SelectOptionAsync(brokenId);
            var alert = page.Locator($"li.alert[data-alert-id='{alertId}']");
            await Expect(alert).ToBeVisibleAsync();
            await alert.GetByRole(AriaRole.Button, new() { NameRegex = new("^Acknowledge") }).ClickAsync();
            await Expect(page.Locator("#alerts-message")).ToContainTextAsync("acknowledged");
            await Expect(alert).ToHaveCountAsync(0);
            var acknowledged = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?configId={brokenId}&status=acknowledged");
            Assert.Equal(alertId, Assert.Single(acknowledged.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

            // Every API call carried the key typed in once; nothing broke in the page.
            var calls = await browser.ApiCallsAsync();
            Assert.True(calls.Count > 10, $"{calls.Count} API calls");
            foreach (var (url, method, headers) in calls)
                Assert.True(headers.TryGetValue("x-functions-key", out var key) && key == FunctionKey, $"{method} {url} went without the key");
            Assert.DoesNotContain(calls, c => c.Url.Contains(FunctionKey, StringComparison.Ordinal));
            Assert.Empty(browser.ConsoleErrors);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(dbName);
            await SampleCms.DropDatabaseAsync(restoredDb);
        }
    }

    [Fact]
    public async Task The_dashboard_fits_a_phone_and_every_control_has_a_name()
    {
        var configId = await host.CreateConfigAsync(new
        {
            name = "Phone site",
            files = new { root = SampleCms.CreateSite(host.Scratch("phone")), components = new[] { "themes", "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "phone-" + Guid.NewGuid().ToString("N")[..8] },
        });
        await using var browser = await BrowserSession.StartAsync(width: 390, height: 844);
        var page = browser.Page;
        await page.GotoAsync(new Uri(host.Host.BaseAddress, $"api/ui/?config={configId}").ToString());
        await EnterKeyAsync(page);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.Locator("#config-select")).ToHaveValueAsync(configId);
        await page.ScreenshotAsync(new() { Path = Artifact("dashboard-phone.png"), FullPage = true });
        // The style sheet applies under the pages' Content-Security-Policy (a refusal would also be a console error).
        Assert.Equal("rgb(13, 42, 74)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('header.top')).backgroundColor"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the dashboard scrolls sideways on a phone");
        Assert.Empty(await UnnamedControlsAsync(page));

        // Keyboard only: Tab reaches Backup Now, and Enter starts the backup.
        var reached = false;
        for (var i = 0; i < 30 && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.id") == "action-backup-now";
        }
        Assert.True(reached, "Tab never reached Backup Now");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("li.job .job-status")).ToHaveTextAsync("completed", new() { Timeout = 180_000 });

        await page.GotoAsync(new Uri(host.Host.BaseAddress, $"api/ui/config.html?id={configId}").ToString());
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-ready", "true");
        await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Phone site");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the configuration page scrolls sideways on a phone");
        Assert.Empty(await UnnamedControlsAsync(page));
        await page.ScreenshotAsync(new() { Path = Artifact("configuration-page-phone.png"), FullPage = true });
        Assert.Empty(browser.ConsoleErrors);
    }

    /// <summary>
    /// Needs GET /api/backups/{id}/download (issue 15 item 3): until it exists the page says so and this test fails at
    /// the download.
    /// </summary>
    [Fact]
    public async Task Download_from_the_dashboard_is_a_tar_whose_files_equal_the_site()
    {
        var dbName = TestEnvironment.UniqueName("uidl");
        var db = await SampleCms.CreateDatabaseAsync(dbName);
        try
        {
            var site = SampleCms.CreateSite(host.Scratch("dl"));
            var configId = await host.CreateConfigAsync(new
            {
                name = "Download site",
                database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username },
                files = new { root = site },
                schedule = new { frequency = "manual" },
                storage = new { type = "local", path = "dl-" + Guid.NewGuid().ToString("N")[..8] },
            });
            using var start = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            Assert.Equal("completed", (await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3))).GetProperty("status").GetString());

            await using var browser = await BrowserSession.StartAsync();
            var page = browser.Page;
            await page.GotoAsync(new Uri(host.Host.BaseAddress, $"api/ui/?config={configId}").ToString());
            await EnterKeyAsync(page);
            var row = page.Locator($"#backups-table tr[data-backup-id='{jobId}']");
            await Expect(row).ToBeVisibleAsync();
            var downloading = page.WaitForDownloadAsync(new() { Timeout = 120_000 });
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new("^Download") }).ClickAsync();
            // The page's own error (an endpoint this service version lacks, a broken stream) ends the wait at once.
            var failed = page.Locator("#backups-message.error").WaitForAsync(new() { Timeout = 120_000 });
            if (await Task.WhenAny(downloading, failed) != downloading)
                Assert.Fail("The page did not download: " + await page.Locator("#backups-message").TextContentAsync());
            var download = await downloading;
            var file = Artifact("download-" + download.SuggestedFilename);
            await download.SaveAsAsync(file);
            await Expect(page.Locator("#backups-message")).ToContainTextAsync("Downloaded");
            Assert.EndsWith(".tar", download.SuggestedFilename, StringComparison.Ordinal);

            var (dumpMagic, files) = ReadTar(file);
            Assert.Equal("PGDMP", dumpMagic);
            Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), files);
            File.Delete(file);
            Assert.Empty(browser.ConsoleErrors);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(dbName);
        }
    }

    private static async Task EnterKeyAsync(IPage page)
    {
        var dialog = page.Locator("#key-dialog");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Function key")).ToBeFocusedAsync();
        await dialog.GetByLabel("Function key").FillAsync(FunctionKey);
        await dialog.GetByLabel("Function key").PressAsync("Enter");
        await Expect(dialog).Not.ToBeVisibleAsync();
        Assert.Equal(FunctionKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('bf.functionKey')"));
    }

    /// <summary>Visible inputs, selects and buttons without an accessible name (no label, no aria-label, no text).</summary>
    private static Task<string[]> UnnamedControlsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('input, select, textarea, button, a[href]')]
          .filter(e => e.offsetParent !== null && e.type !== 'hidden')
          .filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.textContent || '').trim()))
          .map(e => e.outerHTML.slice(0, 120))
        """);

    /// <summary>A config whose site folder is gone, run once through the API: its backup fails and raises an open alert.</summary>
    private async Task<(string ConfigId, string AlertId)> ConfigWithOpenAlertAsync()
    {
        var site = Directory.CreateDirectory(host.Scratch("broken")).FullName;
        var configId = await host.CreateConfigAsync(new
        {
            name = "Broken site",
            files = new { root = site, components = new[] { "themes" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "broken-" + Guid.NewGuid().ToString("N")[..8] },
        });
        Directory.Delete(site);
        using var start = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await start.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        Assert.Equal("failed", (await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2))).GetProperty("status").GetString());
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            var alerts = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?configId={configId}&status=open");
            if (alerts.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } alert)
                return (configId, alert.GetProperty("id").GetString()!);
            await Task.Delay(200);
        }
        throw new TimeoutException($"No open alert for config {configId}");
    }

    /// <summary>The first bytes of database.dump, and files/ as path → SHA-256 (or "dir"), folders implied by files included.</summary>
    private static (string DumpMagic, SortedDictionary<string, string> Files) ReadTar(string path)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string magic = "";
        using var stream = File.OpenRead(path);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.TrimEnd('/');
            if (name == "database.dump")
            {
                var head = new byte[5];
                entry.DataStream!.ReadExactly(head);
                magic = System.Text.Encoding.ASCII.GetString(head);
                continue;
            }
            Assert.StartsWith("files/", name + "/", StringComparison.Ordinal);
            if (name == "files")
                continue;
            var relative = name["files/".Length..];
            for (var parent = Path.GetDirectoryName(relative); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
                files[parent.Replace('\\', '/')] = "dir";
            files[relative] = entry.EntryType == TarEntryType.Directory ? "dir" : Convert.ToHexStringLower(SHA256.HashData(entry.DataStream ?? Stream.Null));
        }
        return (magic, files);
    }

    private static string Artifact(string name) => Path.Combine(BrowserSession.ArtifactsFolder, name);
}
