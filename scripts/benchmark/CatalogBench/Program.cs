using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using Microsoft.Playwright;

// CatalogBench fill    --connection CONN [--prefix P] --configs N --backups N --out IDS_FILE
// CatalogBench measure --api URL --key KEY --config-id ID --requests N [--chromium PATH] [--ui URL]
// fill writes through the catalog's own classes (the rows, and whatever they maintain, as a run writes them);
// measure prints one line per endpoint: name, requests, p50 ms, p95 ms, max ms (tab-separated).
return args.FirstOrDefault() switch
{
    "fill" => await FillAsync(Options(args)),
    "measure" => await MeasureAsync(Options(args)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: CatalogBench fill --connection CONN [--prefix P] --configs N --backups N --out FILE");
    Console.Error.WriteLine("       CatalogBench measure --api URL --key KEY --config-id ID --requests N [--chromium PATH] [--ui URL]");
    return 2;
}

static Dictionary<string, string> Options(string[] args)
{
    var options = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 1; i + 1 < args.Length; i += 2)
        options[args[i].TrimStart('-')] = args[i + 1];
    return options;
}

static async Task<int> FillAsync(Dictionary<string, string> o)
{
    var catalog = new BackupCatalog(new TableServiceClient(o["connection"]), o.GetValueOrDefault("prefix", ""), TimeProvider.System);
    await catalog.EnsureCreatedAsync(CancellationToken.None);
    var configs = int.Parse(o["configs"], CultureInfo.InvariantCulture);
    var backups = int.Parse(o["backups"], CultureInfo.InvariantCulture);
    var random = new Random(20261207);
    var ids = new List<string>();
    for (var c = 0; c < configs; c++)
    {
        var stored = await catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = $"Site {c + 1:00}",
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule { Frequency = "daily", Time = $"{c % 24:00}:{c * 7 % 60:00}" },
            Storage = new StorageDestination { Type = "local", Path = $"site-{c + 1:00}" },
        }, CancellationToken.None);
        ids.Add(stored.Id);
    }

    // Backups spread over the last 500 days, a few failed. Each config's backups are written one after another (its
    // counter row changes in the same transaction as each backup row), the configs side by side.
    var now = DateTimeOffset.UtcNow;
    var watch = Stopwatch.StartNew();
    var plans = Enumerable.Range(0, backups).Select(b => (Index: b, Created: now.AddMinutes(-random.Next(0, 500 * 24 * 60)), Size: random.NextInt64(50_000_000, 5_000_000_000))).ToList();
    await Task.WhenAll(Enumerable.Range(0, configs).Select(async c =>
    {
        foreach (var (b, created, size) in plans.Where(p => p.Index % configs == c))
        {
            await catalog.Backups.UpsertAsync(new BackupRecord
            {
                Id = $"{long.MaxValue - created.UtcTicks:D19}-bench-{b:D6}",
                ConfigId = ids[c],
                JobId = $"job-bench-{b:D6}",
                Type = b % 8 == 0 ? BackupTypes.Full : BackupTypes.Incremental,
                Status = b % 50 == 0 ? "failed" : "completed",
                CreatedAt = created,
                CompletedAt = created.AddMinutes(3),
                SizeBytes = size,
                Checksum = Convert.ToHexStringLower(BitConverter.GetBytes(b)).PadRight(64, '0'),
                CompressionRatio = 1.3,
                Compression = "zstd",
                Encryption = "aes-256-gcm",
                Statistics = new BackupStatistics { Files = 20_000, FilesBytes = size, StoredBytes = size * 3 / 4, DurationSeconds = 180 },
                Locations = [new BackupLocation("local", $"site-{c + 1:00}", $"backups/{b:D6}/manifest.json", Primary: true)],
            }, CancellationToken.None);
        }
    }));
    await File.WriteAllLinesAsync(o["out"], ids);
    Console.WriteLine($"filled {configs} configs and {backups} backups in {watch.Elapsed.TotalSeconds:F1} s");
    return 0;
}

static async Task<int> MeasureAsync(Dictionary<string, string> o)
{
    var api = o["api"].TrimEnd('/');
    var requests = int.Parse(o["requests"], CultureInfo.InvariantCulture);
    using var http = new HttpClient();
    http.DefaultRequestHeaders.Add("x-functions-key", o["key"]);
    var endpoints = new (string Name, string Path)[]
    {
        ("GET /api/backups?configId=…", $"/backups?configId={o["config-id"]}"),
        ("GET /api/backups?pageSize=20", "/backups?pageSize=20"),
        ("GET /api/backup-health", "/backup-health"),
    };
    var failed = false;
    foreach (var (name, path) in endpoints)
    {
        for (var i = 0; i < 3; i++)
            (await http.GetAsync(api + path)).EnsureSuccessStatusCode(); // warm-up: JIT and connections
        var times = new List<double>();
        for (var i = 0; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            using var response = await http.GetAsync(api + path);
            await response.Content.ReadAsByteArrayAsync();
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                Console.Error.WriteLine($"{name}: HTTP {(int)response.StatusCode}");
                failed = true;
                break;
            }
        }
        Print(name, times);
    }

    if (o.TryGetValue("chromium", out var chromium))
    {
        var paints = await FirstPaintsAsync(chromium, o["ui"] + "?config=" + o["config-id"], o["key"], Math.Max(5, requests / 10));
        Print("dashboard first paint", paints.Dashboard);
        Print("floor: one-line page over HTTP (info: no target)", paints.HttpFloor);
        Print("floor: one-line data: URL (info: no target)", paints.DataFloor);
        Print("dashboard with its data (info: no target)", paints.Data);
    }
    return failed ? 1 : 0;
}

// The dashboard's first paint (the browser's first-contentful-paint entry: the page shell drawn) and the moment its data
// is on screen (a recent backup's row and the total), both from navigation start as the page's own Performance API sees
// them; one fresh browser context per sample (a first visit: nothing cached), the browser kept. Beside each sample, in
// the same loop so that the machine's noise falls on all alike, the browser's floors: a one-line page served over HTTP
// on loopback by this process (what any web page costs here before its own bytes matter) and the same line as a data:
// URL (no network, no server).
static async Task<(List<double> Dashboard, List<double> HttpFloor, List<double> DataFloor, List<double> Data)> FirstPaintsAsync(
    string chromium, string ui, string key, int samples)
{
    const string OneLine = "<!doctype html><title>floor</title><p>Backup Dashboard</p>";
    using var floorServer = OneLinePageServer.Start(OneLine);
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"],
    });
    var (dashboard, httpFloor, dataFloor, data) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    for (var i = 0; i < samples + 1; i++)
    {
        var context = await browser.NewContextAsync();
        await context.AddInitScriptAsync($"sessionStorage.setItem('bf.functionKey', {System.Text.Json.JsonSerializer.Serialize(key)});");
        var page = await context.NewPageAsync();
        await page.GotoAsync(ui);
        await page.WaitForSelectorAsync("#backups-table tbody tr[data-backup-id]");
        await page.WaitForFunctionAsync("() => /\\d/.test(document.getElementById('status-total').textContent)");
        var shown = await page.EvaluateAsync<double>("() => performance.now()");
        var paint = await FirstContentfulPaintAsync(page);
        await context.CloseAsync();
        var overHttp = await FloorPaintAsync(browser, floorServer.Url);
        var dataUrl = await FloorPaintAsync(browser, "data:text/html," + OneLine);
        if (i > 0)
        {
            // The first round warms the host's static-file path and the floor server.
            dashboard.Add(paint);
            data.Add(shown);
            httpFloor.Add(overHttp);
            dataFloor.Add(dataUrl);
        }
    }
    return (dashboard, httpFloor, dataFloor, data);
}

static async Task<double> FloorPaintAsync(IBrowser browser, string url)
{
    var context = await browser.NewContextAsync();
    var page = await context.NewPageAsync();
    await page.GotoAsync(url);
    await page.WaitForFunctionAsync("() => performance.getEntriesByName('first-contentful-paint').length > 0");
    var paint = await FirstContentfulPaintAsync(page);
    await context.CloseAsync();
    return paint;
}

static Task<double> FirstContentfulPaintAsync(IPage page) => page.EvaluateAsync<double>(
    "() => (performance.getEntriesByName('first-contentful-paint')[0] || performance.getEntriesByName('first-paint')[0] || { startTime: -1 }).startTime");

static void Print(string name, List<double> times)
{
    times.Sort();
    double At(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
    Console.WriteLine(string.Join('\t', name, times.Count, At(0.50).ToString("F1", CultureInfo.InvariantCulture),
        At(0.95).ToString("F1", CultureInfo.InvariantCulture), times[^1].ToString("F1", CultureInfo.InvariantCulture)));
}
