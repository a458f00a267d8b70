using BackupFunctions.Ui;

namespace BackupFunctions.Tests.Ui;

/// <summary>The embedded pages and the path rule, without a host.</summary>
public sealed class UiAssetsTests
{
    [Theory]
    [InlineData("../host.json")]
    [InlineData("..")]
    [InlineData("a/../../b")]
    [InlineData("./index.html")]
    [InlineData("a//b")]
    [InlineData("/etc/passwd")]
    [InlineData("index.html/")]
    [InlineData("..\\host.json")]
    [InlineData("C:/Windows/win.ini")]
    [InlineData("index.html\0.js")]
    [InlineData("%2e%2e/host.json")]
    [InlineData("in dex.html")]
    public void Hostile_paths_are_refused(string path) => Assert.NotNull(UiAssets.Refusal(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("index.html")]
    [InlineData("config.html")]
    [InlineData("app.css")]
    [InlineData("a.b/c-d_e.js")]
    public void Plain_names_pass(string? path) => Assert.Null(UiAssets.Refusal(path));

    [Fact]
    public void A_path_longer_than_200_characters_is_refused() => Assert.NotNull(UiAssets.Refusal(new string('a', 201)));

    [Fact]
    public void Every_page_is_embedded_and_what_the_pages_load_exists()
    {
        var assets = new UiAssets();
        Assert.Equal(["api.js", "app.css", "config.html", "config.js", "dashboard.js", "index.html"], assets.Names.Order(StringComparer.Ordinal));
        Assert.Same(assets.Find("index.html"), assets.Find(""));
        Assert.Same(assets.Find("index.html"), assets.Find(null));
        Assert.Null(assets.Find("missing.html"));
        // Every src/href/import the pages name is one of the embedded files (nothing from another origin).
        foreach (var name in assets.Names)
        {
            var text = System.Text.Encoding.UTF8.GetString(assets.Find(name)!.Content);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, """(?:src|href)="([^"#?]+)|from '\./([^']+)'"""))
            {
                var target = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
                Assert.DoesNotContain("//", target, StringComparison.Ordinal);
                Assert.True(assets.Find(target.TrimStart('.', '/')) is not null, $"{name} loads {target}, which is not embedded");
            }
        }
    }
}
