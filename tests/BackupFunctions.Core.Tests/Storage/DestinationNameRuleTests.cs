using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>
/// Prefixes, local paths and remote base folders: every value refused where it is used to write (the store factory,
/// the stores, the backup folder's name) is refused when it is posted (config and storage location checks), and
/// every value accepted when posted can be written. The tables are public: the API tests post the same values.
/// </summary>
public sealed class DestinationNameRuleTests : IDisposable
{
    private readonly TempFolder _root = new("bf-names-");

    public void Dispose() => _root.Dispose();

    /// <summary>Prefixes that the write path refuses.</summary>
    public static TheoryData<string> BadPrefixes => new()
    {
        "a//b", ".", "..", "./a", "a/.", "a/./b", "a/..", "../up", "a\\b", "a\u0001b", "a\nb", "a\u007fb", new string('p', 201),
    };

    /// <summary>Prefixes that pass both.</summary>
    public static TheoryData<string> GoodPrefixes => new() { "", "site", "/site/", "sites/blog", "a b", ".config", "a..b" };

    /// <summary>Local folders (under Storage:LocalRoot) that the write path refuses.</summary>
    public static TheoryData<string> BadLocalPaths => new()
    {
        "", ".", "..", "./a", "a/.", "a//b", "a/./b", "a/../b", "../up", "/etc", "/", "a/", "a\\b", "a\tb", "a\u0000b", new string('p', 1001),
    };

    public static TheoryData<string> GoodLocalPaths => new() { "nas", "nas/blog", "a b", ".hidden", "a..b" };

    /// <summary>Base folders of SFTP and FTP locations that the stores refuse.</summary>
    public static TheoryData<string> BadBasePaths => new()
    {
        "a//b", "/a//b", ".", "..", "../up", "a/./b", "/srv/../etc", "a\\b", "a\rb", "a\u0085b",
    };

    public static TheoryData<string> GoodBasePaths => new() { "/", "backups", "/srv/backups", "backups/site1/", "a..b" };

    private BackupStoreFactory Factory() => new(Options.Create(new StorageOptions { LocalRoot = _root.Path }));

    private static BackupConfig Config(StorageDestination storage) => new()
    {
        Name = "site",
        Files = new FilesSource { Root = "/srv/site" },
        Schedule = new BackupSchedule { Frequency = "manual" },
        Storage = storage,
    };

    private static Dictionary<string, string[]> LocationErrors(string type, string path) => StorageSettingsSchema.Validate(new StorageLocationInput
    {
        Name = "x",
        Type = type,
        Settings = type switch
        {
            StorageTypes.Local => Json(new { path }),
            StorageTypes.Sftp => Json(new { host = "h", user = "u", path, hostKeyFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU" }),
            _ => Json(new { host = "h", user = "u", path }),
        },
    }).Errors;

    private static Dictionary<string, JsonElement> Json(object value) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(value))!;

    [Theory]
    [MemberData(nameof(BadPrefixes))]
    public void A_prefix_refused_at_write_time_is_refused_at_create_time(string prefix)
    {
        Assert.Throws<ArgumentException>(() => ObjectNames.BackupFolder(prefix, "20260301-0000000000000000000"));
        Assert.True(BackupConfigValidator.Validate(Config(new StorageDestination { Type = "local", Path = "x", Prefix = prefix })).ContainsKey("storage.prefix"));
        Assert.True(BackupConfigValidator.Validate(Config(new StorageDestination { Type = "azureBlob", Container = "backups" }) with
        {
            Replicas = [new StorageDestination { Type = "local", Path = "y", Prefix = prefix }],
        }).ContainsKey("replicas[0].prefix"));
    }

    [Theory]
    [MemberData(nameof(GoodPrefixes))]
    public async Task A_prefix_accepted_at_create_time_can_be_written(string prefix)
    {
        Assert.False(BackupConfigValidator.Validate(Config(new StorageDestination { Type = "local", Path = "x", Prefix = prefix })).ContainsKey("storage.prefix"));
        var folder = ObjectNames.BackupFolder(prefix, "b1");
        await new LocalFolderStore(_root.Path).PutAsync(folder + ObjectNames.Manifest, new MemoryStream([1]), default);
    }

    [Theory]
    [MemberData(nameof(BadLocalPaths))]
    public void A_local_path_refused_at_write_time_is_refused_at_create_time(string path)
    {
        Assert.ThrowsAny<ArgumentException>(() => Factory().Create(new StorageDestination { Type = "local", Path = path }));
        Assert.ThrowsAny<ArgumentException>(() => Factory().Create(
            new StorageLocation { Id = "stg-1", Name = "x", Type = StorageTypes.Local, Settings = new Dictionary<string, string> { ["path"] = path } }, _ => null));
        Assert.True(BackupConfigValidator.Validate(Config(new StorageDestination { Type = "local", Path = path })).ContainsKey("storage.path"));
        Assert.True(LocationErrors(StorageTypes.Local, path).ContainsKey("settings.path"));
    }

    [Theory]
    [MemberData(nameof(GoodLocalPaths))]
    public async Task A_local_path_accepted_at_create_time_can_be_written(string path)
    {
        Assert.False(BackupConfigValidator.Validate(Config(new StorageDestination { Type = "local", Path = path })).ContainsKey("storage.path"));
        Assert.False(LocationErrors(StorageTypes.Local, path).ContainsKey("settings.path"));
        await Factory().Create(new StorageDestination { Type = "local", Path = path }).PutAsync("x", new MemoryStream([1]), default);
    }

    [Theory]
    [MemberData(nameof(BadBasePaths))]
    public void A_base_path_refused_by_the_stores_is_refused_at_create_time(string path)
    {
        Assert.Throws<ArgumentException>(() => new SftpStore(new SftpStoreSettings
        {
            Host = "127.0.0.1", UserName = "u", Password = "p", BasePath = path, HostKeyFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        }));
        Assert.Throws<ArgumentException>(() => new FtpStore(new FtpStoreSettings("127.0.0.1", 21, "u", "p", path)));
        Assert.True(LocationErrors(StorageTypes.Sftp, path).ContainsKey("settings.path"));
        Assert.True(LocationErrors(StorageTypes.Ftp, path).ContainsKey("settings.path"));
    }

    [Theory]
    [MemberData(nameof(GoodBasePaths))]
    public async Task A_base_path_accepted_at_create_time_is_accepted_by_the_stores(string path)
    {
        Assert.False(LocationErrors(StorageTypes.Sftp, path).ContainsKey("settings.path"));
        Assert.False(LocationErrors(StorageTypes.Ftp, path).ContainsKey("settings.path"));
        using var sftp = new SftpStore(new SftpStoreSettings
        {
            Host = "127.0.0.1", UserName = "u", Password = "p", BasePath = path, HostKeyFingerprint = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
        });
        await using var ftp = new FtpStore(new FtpStoreSettings("127.0.0.1", 21, "u", "p", path));
    }

    public static TheoryData<string, string, bool> Modes => new()
    {
        { "fileMode", "0600", true },
        { "fileMode", "640", true },
        { "fileMode", "0660", true },
        { "fileMode", "0700", true },
        { "fileMode", "0644", false },
        { "fileMode", "0666", false },
        { "fileMode", "0604", false },
        { "fileMode", "0601", false },
        { "fileMode", "0400", false },
        { "fileMode", "0040", false },
        { "folderMode", "0700", true },
        { "folderMode", "0750", true },
        { "folderMode", "0770", true },
        { "folderMode", "0755", false },
        { "folderMode", "0777", false },
        { "folderMode", "0701", false },
        { "folderMode", "0600", false },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_local_mode_that_opens_backups_to_other_users_is_refused_when_posted_and_when_opened(string setting, string mode, bool allowed)
    {
        var errors = StorageSettingsSchema.Validate(new StorageLocationInput
        {
            Name = "x",
            Type = StorageTypes.Local,
            Settings = Json(new Dictionary<string, string> { ["path"] = "nas", [setting] = mode }),
        }).Errors;
        var location = new StorageLocation
        {
            Id = "stg-1", Name = "x", Type = StorageTypes.Local,
            Settings = new Dictionary<string, string> { ["path"] = "nas", [setting] = mode.PadLeft(4, '0') },
        };

        Assert.Equal(!allowed, errors.ContainsKey($"settings.{setting}"));
        if (allowed)
            Assert.IsType<LocalFolderStore>(Factory().Create(location, _ => null));
        else
            Assert.Contains($"settings.{setting}", Assert.Throws<ArgumentException>(() => Factory().Create(location, _ => null)).Message, StringComparison.Ordinal);
    }
}
