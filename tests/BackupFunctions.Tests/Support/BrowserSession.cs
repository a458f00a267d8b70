using Microsoft.Playwright;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright for .NET with a fresh profile folder. Playwright never downloads
/// a browser here: the executable is the system's (<c>apt-get install chromium</c>, done by test.sh), or
/// <c>BF_TEST_CHROMIUM</c>. Every request the pages make is recorded, so a test can check what they sent.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>
    /// Headless, and nothing that reaches out of the machine: without the background-networking flags Chromium tries
    /// Google's hosts at every start, which this machine's closed network refuses.
    /// </summary>
    public static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly string _profile;
    private readonly List<IRequest> _requests = [];

    private BrowserSession(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        Context = context;
        Page = page;
        _profile = profile;
        context.Request += (_, request) =>
        {
            lock (_requests)
                _requests.Add(request);
        };
        page.Console += (_, message) =>
        {
            // A 4xx/5xx answer to a fetch is logged as "Failed to load resource"; the tests check those answers themselves.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                lock (ConsoleErrors)
                    ConsoleErrors.Add(message.Text);
        };
        page.PageError += (_, error) =>
        {
            lock (ConsoleErrors)
                ConsoleErrors.Add(error);
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions of the page (a CSP violation shows here too).</summary>
    public List<string> ConsoleErrors { get; } = [];

    public static string ChromiumPath => Environment.GetEnvironmentVariable("BF_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<BrowserSession> StartAsync(int width = 1280, int height = 900)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ChromiumPath}: run ./test.sh (it installs it) or apt-get install chromium, or set BF_TEST_CHROMIUM.");
        }
        // Belt and braces: this run must never fetch a browser of Playwright's own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var profile = Directory.CreateTempSubdirectory("bf-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                AcceptDownloads = true,
                ViewportSize = new ViewportSize { Width = width, Height = height },
                Timeout = 60_000,
            });
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            page.SetDefaultTimeout(30_000);
            return new BrowserSession(playwright, context, page, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <summary>The API calls made so far (everything under /api/ but the pages themselves), with their headers.</summary>
    public async Task<IReadOnlyList<(string Url, string Method, IReadOnlyDictionary<string, string> Headers)>> ApiCallsAsync()
    {
        IRequest[] requests;
        lock (_requests)
            requests = [.. _requests];
        var calls = new List<(string, string, IReadOnlyDictionary<string, string>)>();
        foreach (var request in requests)
        {
            var path = new Uri(request.Url).AbsolutePath;
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/api/ui", StringComparison.Ordinal))
                continue;
            calls.Add((request.Url, request.Method, await request.AllHeadersAsync()));
        }
        return calls;
    }

    /// <summary>The folder for screenshots and downloads: the test project's TestResults/browser (or BF_TEST_ARTIFACTS).</summary>
    public static string ArtifactsFolder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("BF_TEST_ARTIFACTS") is { Length: > 0 } configured
                ? configured
                : Path.Combine(ProjectFolder(), "TestResults", "browser");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    private static string ProjectFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BackupFunctions.Tests.csproj")))
                return dir.FullName;
        }
        return AppContext.BaseDirectory;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be writing its last files as it exits; the folder is a temp folder all the same.
        }
    }
}
