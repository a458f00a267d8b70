using System.Net;
using System.Reflection;
using System.Text.Json;
using BackupFunctions.Tests.Support;
using BackupFunctions.Ui;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Tests.Ui;

/// <summary>
/// GET /api/ui/{*path} over real HTTP on the local host: the embedded pages with their content types, validators
/// and security headers, the index at the root, and hostile paths refused with a 400 naming <c>path</c>.
/// </summary>
public sealed class UiPagesTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task The_index_is_served_at_the_root_with_cache_and_security_headers()
    {
        using var root = await host.Http.GetAsync("api/ui/");
        var html = await root.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html; charset=utf-8", root.Content.Headers.ContentType?.ToString());
        Assert.Contains("<title>Backup Dashboard</title>", html, StringComparison.Ordinal);
        Assert.True(root.Headers.CacheControl?.NoCache, root.Headers.CacheControl?.ToString());
        Assert.NotNull(root.Headers.ETag);
        Assert.Equal("nosniff", Assert.Single(root.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(UiAssetResult.ContentSecurityPolicy, Assert.Single(root.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("DENY", Assert.Single(root.Headers.GetValues("X-Frame-Options")));

        using var index = await host.Http.GetAsync("api/ui/index.html");
        Assert.Equal(html, await index.Content.ReadAsStringAsync());
        Assert.Equal(root.Headers.ETag, index.Headers.ETag);
    }

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8", "Backup Dashboard")]
    [InlineData("config.html", "text/html; charset=utf-8", "Backup Configuration")]
    [InlineData("app.css", "text/css; charset=utf-8", ":root")]
    [InlineData("api.js", "text/javascript; charset=utf-8", "x-functions-key")]
    [InlineData("dashboard.js", "text/javascript; charset=utf-8", "backup-jobs")]
    [InlineData("config.js", "text/javascript; charset=utf-8", "If-Match")]
    public async Task Each_page_has_its_content_type(string path, string contentType, string content)
    {
        using var response = await host.Http.GetAsync("api/ui/" + path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Contains(content, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(response.Content.Headers.ContentLength, (await response.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task A_current_etag_gets_304_without_a_body_and_a_stale_one_the_page()
    {
        using var first = await host.Http.GetAsync("api/ui/app.css");
        var etag = first.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "api/ui/app.css");
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await host.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);

        using var stale = new HttpRequestMessage(HttpMethod.Get, "api/ui/app.css");
        stale.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"0000\""));
        using var changed = await host.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await changed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_root_without_its_slash_redirects_so_relative_links_resolve_under_ui()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Http.BaseAddress };
        using var response = await http.GetAsync("api/ui");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/ui/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("a%2F..%2F..%2F..%2Fhost.json")]
    [InlineData("%2E%2E%2F%2E%2E%2Fhost.json")]
    [InlineData("..%5C..%5Chost.json")]
    [InlineData("index.html%3A%24DATA")]
    [InlineData("a%2F%2Fb.css")]
    [InlineData("%2Fetc%2Fpasswd")]
    public async Task Hostile_paths_are_refused_naming_path(string path)
    {
        using var response = await host.Http.GetAsync("api/ui/" + path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("path", out _), body);
    }

    [Fact]
    public async Task A_nul_in_the_path_is_refused_before_it_reaches_the_function()
    {
        // Kestrel itself answers 400 to a decoded NUL; UiAssetsTests shows the function's own rule refuses it too.
        using var response = await host.Http.GetAsync("api/ui/index.html%00.js");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("Backup Dashboard", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nothing.html")]
    [InlineData("host.json")]
    [InlineData("BackupFunctions.dll")]
    [InlineData(".env")]
    public async Task A_name_that_is_no_page_is_404(string path)
    {
        using var response = await host.Http.GetAsync("api/ui/" + path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void The_pages_are_anonymous_and_every_api_function_needs_a_key()
    {
        // The pages hold no data; everything they show comes from the API, which keeps its function level.
        var triggers = typeof(UiPagesApi).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Select(m => (Method: m, Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Trigger is not null)
            .ToList();
        Assert.True(triggers.Count > 20, $"only {triggers.Count} HTTP functions found");
        foreach (var (method, trigger) in triggers)
        {
            var expected = method.DeclaringType == typeof(UiPagesApi) ? AuthorizationLevel.Anonymous : AuthorizationLevel.Function;
            Assert.True(trigger!.AuthLevel == expected, $"{method.DeclaringType!.Name}.{method.Name} is {trigger.AuthLevel}");
        }
    }
}
