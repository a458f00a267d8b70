using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>
/// files.root must resolve (every symbolic link followed) inside a folder of Files:AllowedRoots; components are
/// folder names under it. Real folders and links in a throwaway folder.
/// </summary>
public sealed class SiteRootsTests : IDisposable
{
    private readonly TempFolder _folder = new("bf-siteroots-");

    public SiteRootsTests()
    {
        Directory.CreateDirectory(_folder.Combine("allowed", "site", "uploads"));
        Directory.CreateDirectory(_folder.Combine("allowed", "other-site"));
        Directory.CreateDirectory(_folder.Combine("second", "site"));
        Directory.CreateDirectory(_folder.Combine("outside", "etc"));
        File.WriteAllText(_folder.Combine("allowed", "a-file"), "not a folder");
    }

    public void Dispose() => _folder.Dispose();

    private string Allowed => _folder.Combine("allowed");

    private string Second => _folder.Combine("second");

    private string Outside => _folder.Combine("outside");

    private static SiteRoots Roots(params string[] allowed) => Roots(allowed, localRoot: "", keyFile: "");

    private static SiteRoots Roots(string[] allowed, string localRoot, string keyFile) =>
        new(Options.Create(new FilesOptions { AllowedRoots = string.Join(';', allowed) }),
            Options.Create(new StorageOptions { LocalRoot = localRoot }), Options.Create(new KeyOptions { LocalKeyFile = keyFile }));

    private static string Real(string path) => RealPath.TryResolve(path, out _)!;

    [Fact]
    public void Empty_allowed_roots_refuse_every_root_and_say_how_to_allow_one()
    {
        var problem = Roots().Check(Allowed, out var real);

        Assert.NotNull(problem);
        Assert.Equal("", real);
        Assert.Contains("Files__AllowedRoots", problem, StringComparison.Ordinal);
        Assert.Contains("is empty", problem, StringComparison.Ordinal);
        Assert.NotNull(Roots().Check("/", out _));
        Assert.NotNull(Roots(" ; ").Check(Allowed, out _));
    }

    [Theory]
    [InlineData("allowed")]
    [InlineData("allowed/site")]
    [InlineData("allowed/site/uploads")]
    [InlineData("allowed/./site")]
    [InlineData("allowed/other-site/../site")]
    [InlineData("second/site")]
    public void A_folder_equal_to_or_inside_an_allowed_root_is_accepted_as_its_real_path(string relative)
    {
        var root = Path.Combine(_folder.Path, relative);

        Assert.Null(Roots(Allowed, Second).Check(root, out var real));

        Assert.Equal(Real(root), real);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("outside")]
    [InlineData("outside/etc")]
    [InlineData("allowed/../outside")]
    [InlineData("allowed-not")]
    public void A_root_outside_the_allowed_roots_is_refused_naming_the_setting(string relative)
    {
        Directory.CreateDirectory(_folder.Combine("allowed-not"));
        var root = relative.StartsWith('/') ? relative : Path.Combine(_folder.Path, relative);

        var problem = Roots(Allowed).Check(root, out var real);

        Assert.NotNull(problem);
        Assert.Equal("", real);
        Assert.Contains("not inside a folder allowed by the app setting Files__AllowedRoots", problem, StringComparison.Ordinal);
        Assert.Contains(Allowed, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_inside_an_allowed_root_reached_through_a_link_that_leads_outside_is_refused()
    {
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "link-out"), Outside);
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "site", "relative-out"), "../../outside");

        foreach (var root in new[] { _folder.Combine("allowed", "link-out"), _folder.Combine("allowed", "link-out", "etc"), _folder.Combine("allowed", "site", "relative-out") })
        {
            var problem = Roots(Allowed).Check(root, out _);
            Assert.NotNull(problem);
            Assert.Contains("a symbolic link along it leads out", problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_link_that_points_to_another_allowed_place_is_accepted_as_its_target()
    {
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "to-second"), _folder.Combine("second", "site"));
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "to-sibling"), "site");
        Directory.CreateSymbolicLink(_folder.Combine("outside", "to-allowed"), _folder.Combine("allowed", "site"));

        Assert.Null(Roots(Allowed, Second).Check(_folder.Combine("allowed", "to-second"), out var real));
        Assert.Equal(Real(_folder.Combine("second", "site")), real);
        Assert.Null(Roots(Allowed).Check(_folder.Combine("allowed", "to-sibling"), out real));
        Assert.Equal(Real(_folder.Combine("allowed", "site")), real);
        // Resolved, a path through an outside link that lands inside is the allowed folder itself.
        Assert.Null(Roots(Allowed).Check(_folder.Combine("outside", "to-allowed"), out real));
        Assert.Equal(Real(_folder.Combine("allowed", "site")), real);
        // The same link is refused when its target is not allowed.
        Assert.NotNull(Roots(Allowed).Check(_folder.Combine("allowed", "to-second"), out _));
    }

    [Fact]
    public void An_allowed_root_that_is_itself_a_link_allows_what_it_resolves_to()
    {
        var link = _folder.Combine("allowed-link");
        Directory.CreateSymbolicLink(link, Allowed);

        Assert.Null(Roots(link).Check(_folder.Combine("allowed", "site"), out var real));
        Assert.Equal(Real(_folder.Combine("allowed", "site")), real);
        Assert.Null(Roots(link + "/").Check(Path.Combine(link, "site"), out _));
    }

    [Fact]
    public void A_site_never_includes_the_apps_local_backups_or_its_key_file_even_inside_an_allowed_root()
    {
        // An operator who allows a folder that also holds Storage:LocalRoot (other configs' backups, maybe unencrypted)
        // or Keys:LocalKeyFile.
        Directory.CreateDirectory(_folder.Combine("allowed", "app", "stores", "blog"));
        Directory.CreateDirectory(_folder.Combine("allowed", "keys"));
        File.WriteAllText(_folder.Combine("allowed", "keys", "backup.key"), "key");
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "site", "linked-stores"), _folder.Combine("allowed", "app", "stores"));
        var roots = Roots([Allowed], localRoot: _folder.Combine("allowed", "app", "stores"), keyFile: _folder.Combine("allowed", "keys", "backup.key"));

        Assert.Contains("Storage__LocalRoot", roots.Check(_folder.Combine("allowed", "app", "stores"), out _), StringComparison.Ordinal);
        Assert.Contains("Storage__LocalRoot", roots.Check(_folder.Combine("allowed", "app", "stores", "blog"), out _), StringComparison.Ordinal);
        Assert.Null(roots.Check(_folder.Combine("allowed", "app"), out var appRoot));
        Assert.Contains("Storage__LocalRoot", roots.ComponentsProblem(appRoot, ["stores"]), StringComparison.Ordinal);
        Assert.Null(roots.Check(Allowed, out var allowedRoot));
        Assert.Contains("Storage__LocalRoot", roots.ComponentsProblem(allowedRoot, ["app"]), StringComparison.Ordinal);
        Assert.Contains("Keys__LocalKeyFile", roots.ComponentsProblem(allowedRoot, ["site", "keys"]), StringComparison.Ordinal);
        Assert.Null(roots.Check(_folder.Combine("allowed", "site"), out var siteRoot));
        Assert.Contains("Storage__LocalRoot", roots.ComponentsProblem(siteRoot, ["uploads", "linked-stores"]), StringComparison.Ordinal);
        Assert.Null(roots.ComponentsProblem(siteRoot, ["uploads"]));
        Assert.Throws<InvalidOperationException>(() => roots.Confine(new FilesSource { Root = Allowed, Components = ["app"] }));

        var checks = new BackupConfigChecks(NetworkPolicy.FromOptions(new NetworkOptions()), roots);
        Assert.True(checks.Validate(Config(Allowed, ["app"])).ContainsKey("files.components"));
        Assert.True(checks.Validate(Config(_folder.Combine("allowed", "app", "stores"), ["blog"])).ContainsKey("files.root"));
    }

    [Fact]
    public void A_missing_root_is_named_only_inside_the_allowed_roots()
    {
        var inside = Roots(Allowed).Check(_folder.Combine("allowed", "nothing-here"), out _);
        var outside = Roots(Allowed).Check(_folder.Combine("outside", "nothing-here"), out _);
        var outsideExisting = Roots(Allowed).Check(Outside, out _);

        Assert.Contains("does not exist", inside, StringComparison.Ordinal);
        // Outside the allowed folders a missing and an existing path get the same answer: no probing of the disk.
        Assert.DoesNotContain("does not exist", outside, StringComparison.Ordinal);
        Assert.Equal(outsideExisting!.Replace(Outside, "X", StringComparison.Ordinal), outside!.Replace(_folder.Combine("outside", "nothing-here"), "X", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("relative/site")]
    [InlineData("site")]
    public void A_root_that_is_not_an_absolute_path_is_refused(string root) =>
        Assert.Contains("absolute", Roots(Allowed).Check(root, out _), StringComparison.Ordinal);

    [Fact]
    public void A_file_is_not_a_site_root() =>
        Assert.Contains("not a folder", Roots(Allowed).Check(_folder.Combine("allowed", "a-file"), out _), StringComparison.Ordinal);

    [Fact]
    public void Confine_gives_the_real_root_and_refuses_what_check_refuses()
    {
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "to-site"), "site");
        Directory.CreateSymbolicLink(_folder.Combine("allowed", "link-out"), Outside);
        var roots = Roots(Allowed);

        var confined = roots.Confine(new FilesSource { Root = _folder.Combine("allowed", "to-site"), Components = ["uploads"] });

        Assert.Equal(Real(_folder.Combine("allowed", "site")), confined.Root);
        Assert.Equal(["uploads"], confined.Components);
        var e = Assert.Throws<InvalidOperationException>(() => roots.Confine(new FilesSource { Root = _folder.Combine("allowed", "link-out"), Components = ["etc"] }));
        Assert.Contains("Files__AllowedRoots", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => roots.Confine(new FilesSource { Root = "/", Components = ["etc", "home"] }));
        Assert.Throws<InvalidOperationException>(() => roots.Confine(new FilesSource { Root = _folder.Combine("allowed", "site"), Components = [".."] }));
        Assert.Throws<InvalidOperationException>(() => Roots().Confine(new FilesSource { Root = _folder.Combine("allowed", "site") }));
    }

    public static TheoryData<string?> BadComponents => new()
    {
        null, "", " ", ".", "..", "/", "/etc", "a/b", "a\\b", "../etc", "uploads/..", "up..", "..hidden", "a\u0001b", "a\nb", new string('a', 256),
    };

    [Theory]
    [MemberData(nameof(BadComponents))]
    public void A_component_that_is_not_one_folder_name_is_refused(string? component)
    {
        Assert.NotNull(SiteRoots.ComponentProblem(component));
        var config = Config(_folder.Combine("allowed", "site"), [component!]);
        Assert.True(BackupConfigValidator.Validate(config).ContainsKey("files.components"));
    }

    [Theory]
    [InlineData("uploads")]
    [InlineData("wp-content")]
    [InlineData(".well-known")]
    [InlineData("a.b")]
    [InlineData("Ümlaut ordner")]
    public void A_folder_name_is_a_component(string component) => Assert.Null(SiteRoots.ComponentProblem(component));

    [Fact]
    public void Components_are_listed_once_and_at_most_a_hundred()
    {
        var site = _folder.Combine("allowed", "site");
        Assert.True(BackupConfigValidator.Validate(Config(site, ["uploads", "uploads"])).ContainsKey("files.components"));
        Assert.True(BackupConfigValidator.Validate(Config(site, [.. Enumerable.Range(0, 101).Select(i => $"c{i}")])).ContainsKey("files.components"));
        Assert.False(BackupConfigValidator.Validate(Config(site, [.. Enumerable.Range(0, 100).Select(i => $"c{i}")])).ContainsKey("files.components"));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("/srv/www", null)]
    [InlineData(" /srv/www ; /var/www ;", null)]
    [InlineData("srv/www", "'srv/www' is not absolute")]
    [InlineData("/srv/www;./cms", "'./cms' is not absolute")]
    public void The_setting_holds_absolute_folders(string setting, string? problem)
    {
        var error = new FilesOptions { AllowedRoots = setting }.Validate();
        if (problem is null)
            Assert.Null(error);
        else
            Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_checks_refuse_root_slash_with_etc_and_home_naming_files_root()
    {
        var checks = new BackupConfigChecks(NetworkPolicy.FromOptions(new NetworkOptions()), Roots(Allowed));
        var config = Config("/", ["etc", "home"]) with { Encryption = new EncryptionOptions { Algorithm = "none" } };

        var errors = checks.Validate(config);

        Assert.Contains("Files__AllowedRoots", Assert.Single(errors["files.root"]), StringComparison.Ordinal);
        Assert.Empty(checks.Validate(Config(_folder.Combine("allowed", "site"), ["uploads"])));
        // A root the shape check already refused gets one message, not two.
        Assert.Single(checks.Validate(Config("relative", ["uploads"]))["files.root"]);
    }

    private static BackupConfig Config(string root, IReadOnlyList<string> components) => new()
    {
        Name = "site",
        Files = new FilesSource { Root = root, Components = components },
        Schedule = new BackupSchedule { Frequency = "manual" },
        Storage = new StorageDestination { Type = "local", Path = "x" },
    };
}
