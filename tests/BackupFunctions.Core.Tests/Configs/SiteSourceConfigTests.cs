using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>
/// files.source and per-component sources (issue 16 item 1) as a request writes them: read into the stored config,
/// shown back in the same shape, and every refusal named by the field the request used.
/// </summary>
public sealed class SiteSourceConfigTests : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string Fingerprint = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=');

    private static readonly string Sftp =
        """{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__CMS_SSH","root":"/var/www/site"}""";

    private const string Blob = """{"type":"azureBlob","accountUrl":"https://cmsfiles.blob.core.windows.net","container":"site","prefix":"cms/wp-content"}""";

    private readonly TempFolder _allowed = new("bf-sitesource-");

    private readonly BackupConfigChecks _checks;

    public SiteSourceConfigTests()
    {
        var roots = new SiteRoots(Options.Create(new FilesOptions { AllowedRoots = _allowed.Path }), Options.Create(new StorageOptions { LocalRoot = "" }),
            Options.Create(new KeyOptions { LocalKeyFile = "" }));
        _checks = new BackupConfigChecks(new NetworkPolicy([]), roots);
        Directory.CreateDirectory(_allowed.Combine("themes"));
    }

    public void Dispose() => _allowed.Dispose();

    private string Config(string files) =>
        """{"name":"n","type":"files","files":@FILES,"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""".Replace("@FILES", Expand(files), StringComparison.Ordinal);

    /// <summary>The JSON with its tokens filled in: @SFTP, @BLOB (sources), @FP (a fingerprint), @ALLOWED (the allowed folder, quoted).</summary>
    private string Expand(string json) => json.Replace("@SFTP", Sftp, StringComparison.Ordinal).Replace("@BLOB", Blob, StringComparison.Ordinal)
        .Replace("@FP", Fingerprint, StringComparison.Ordinal).Replace("@ALLOWED", JsonSerializer.Serialize(_allowed.Path), StringComparison.Ordinal);

    /// <summary>The errors of reading the request and then of the checks, by the request's paths.</summary>
    private IReadOnlyDictionary<string, string[]> Errors(string files)
    {
        var input = JsonSerializer.Deserialize<BackupConfigInput>(Config(files), Json)!;
        var (config, errors) = input.Read(new CmsSourceOptions());
        return errors.Count > 0 ? errors : input.InputPaths(_checks.Validate(config!));
    }

    [Fact]
    public void Uploads_in_a_blob_container_and_themes_on_the_cms_host_are_read_stored_and_shown_as_written()
    {
        var files = """{"source":@BLOB,"components":["uploads",{"name":"themes","source":@SFTP}]}""";
        var input = JsonSerializer.Deserialize<BackupConfigInput>(Config(files), Json)!;

        var (config, errors) = input.Read(new CmsSourceOptions());

        Assert.Empty(errors);
        Assert.Empty(_checks.Validate(config!));
        var stored = config!.Files!;
        Assert.Equal("", stored.Root);
        Assert.Equal(SiteSourceTypes.AzureBlob, stored.Source!.Type);
        Assert.Equal(["uploads", "themes"], stored.Components);
        Assert.Equal(SiteSourceTypes.Sftp, stored.SourceOf("themes").Type);
        Assert.Equal(SiteSourceTypes.AzureBlob, stored.SourceOf("uploads").Type);
        // The answer's shape is the request's: it can be sent back as it is.
        var shown = JsonSerializer.Serialize(FilesSourceInput.From(stored), Json);
        Assert.Equal(JsonSerializer.Serialize(JsonSerializer.Deserialize<FilesSourceInput>(Expand(files), Json), Json), shown);
        var again = JsonSerializer.Deserialize<BackupConfigInput>(Config(shown), Json)!.Read(new CmsSourceOptions());
        Assert.Equal(stored.ComponentSources, again.Config!.Files!.ComponentSources);
        Assert.Equal(stored.Source, again.Config.Files.Source);
    }

    [Fact]
    public void A_local_source_is_stored_as_todays_root_and_plain_components_keep_todays_shape()
    {
        var input = JsonSerializer.Deserialize<BackupConfigInput>(Config("""{"source":{"type":"local","root":@ALLOWED},"components":["themes"]}"""), Json)!;

        var (config, errors) = input.Read(new CmsSourceOptions());

        Assert.Empty(errors);
        Assert.Empty(_checks.Validate(config!));
        Assert.Null(config!.Files!.Source);
        Assert.Equal(_allowed.Path, config.Files.Root);
        Assert.True(config.Files.IsLocal());
        Assert.Equal(Expand("""{"root":@ALLOWED,"components":["themes"]}"""), JsonSerializer.Serialize(FilesSourceInput.From(config.Files), Json));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { """{"source":{"type":"dropbox"}}""", "files.source.type" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://a.blob.core.windows.net"}}""", "files.source.container" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://a.blob.core.windows.net","container":"Bad_Name"}}""", "files.source.container" },
        { """{"source":{"type":"azureBlob","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://a.blob.core.windows.net","connectionSetting":"BackupSecrets__X","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","accountUrl":"http://a.blob.core.windows.net","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://a.blob.core.windows.net/other?sig=x","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://169.254.169.254","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","accountUrl":"https://10.0.0.5","container":"site"}}""", "files.source.accountUrl" },
        { """{"source":{"type":"azureBlob","connectionSetting":"AzureWebJobsStorage","container":"site"}}""", "files.source.connectionSetting" },
        { """{"source":{"type":"azureBlob","connectionSetting":"DefaultEndpointsProtocol=https;AccountKey=abc","container":"site"}}""", "files.source.connectionSetting" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site","prefix":"../other"}}""", "files.source.prefix" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site","prefix":"/abs"}}""", "files.source.prefix" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site","prefix":"a//b"}}""", "files.source.prefix" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site","share":"s"}}""", "files.source.share" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site","host":"h"}}""", "files.source.host" },
        { """{"source":{"type":"azureFiles","accountUrl":"https://a.file.core.windows.net"}}""", "files.source.share" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.hostKeyFingerprint" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"MD5:aa:bb","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.hostKeyFingerprint" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","root":"/var/www"}}""", "files.source.passwordSetting" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"Keys__TransitKey","root":"/var/www"}}""", "files.source.passwordSetting" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","privateKeySetting":"Secrets:SealingKey","root":"/var/www"}}""", "files.source.privateKeySetting" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"var/www"}}""", "files.source.root" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/../etc"}}""", "files.source.root" },
        { """{"source":{"type":"sftp","host":"cms.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www","port":0}}""", "files.source.port" },
        { """{"source":{"type":"sftp","host":"cms.example.com","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.user" },
        { """{"source":{"type":"sftp","host":"127.0.0.1","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.host" },
        { """{"source":{"type":"sftp","host":"169.254.169.254","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.host" },
        { """{"source":{"type":"sftp","host":"a/b","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www"}}""", "files.source.host" },
        { """{"source":{"type":"sftp","host":"h.example.com","user":"www","hostKeyFingerprint":"@FP","passwordSetting":"BackupSecrets__X","root":"/var/www","container":"c"}}""", "files.source.container" },
        { """{"source":{"type":"local","root":"/etc"}}""", "files.root" },
        { """{"source":{"type":"local"}}""", "files.source.root" },
        { """{"source":{"type":"local","root":"/srv","host":"h"}}""", "files.source.host" },
        { """{"root":"/srv","source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site"}}""", "files.root" },
        { """{"root":"/srv","components":["uploads",{"name":"themes","source":{"type":"sftp","host":"h.example.com","user":"u","passwordSetting":"BackupSecrets__X","root":"/w"}}]}""", "files.components[1].source.hostKeyFingerprint" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site"},"components":[{"name":"themes","source":{"type":"local","root":"/etc"}}]}""", "files.components[0].source.root" },
        { """{"source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site"},"components":[{"name":"../x","source":{"type":"azureBlob","connectionSetting":"BackupSecrets__X","container":"site"}}]}""", "files.components" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Each_refusal_names_the_field(string files, string field)
    {
        var errors = Errors(files);

        Assert.True(errors.ContainsKey(field), $"expected {field}; got {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
    }

    [Fact]
    public void A_component_with_a_local_source_inside_the_allowed_folders_passes()
    {
        var files = """{"source":@BLOB,"components":["uploads",{"name":"themes","source":{"type":"local","root":@ALLOWED}}]}""";

        Assert.Empty(Errors(files));
    }
}
