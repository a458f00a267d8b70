using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>
/// The seed's BackupConfig words and today's are read into the one stored config (<see cref="BackupConfigInput.Read"/>),
/// and every refusal names the field as the request wrote it.
/// </summary>
public sealed class BackupConfigInputTests
{
    /// <summary>The API's reading rules (ApiJson): web names matched without case, unknown fields refused, required honoured.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private static readonly CmsSourceOptions NoCms = new();

    private static readonly CmsSourceOptions Cms = new()
    {
        Database = new CmsDatabaseOptions { Host = "db.internal", Port = 5433, Name = "cms", Username = "backup", PasswordSetting = "BackupSecrets__CMS_DB" },
        Files = new CmsFilesOptions { Root = "/var/www/cms", Components = "uploads;themes" },
    };

    private const string Base = "\"name\":\"n\",\"files\":{\"root\":\"/srv/site\"},\"schedule\":{\"frequency\":\"manual\"},\"storage\":{\"type\":\"local\",\"path\":\"x\"}";

    private static BackupConfigInput Parse(string json) => JsonSerializer.Deserialize<BackupConfigInput>(json, Json)!;

    private static BackupConfig Read(string json, CmsSourceOptions? cms = null)
    {
        var (config, errors) = Parse(json).Read(cms ?? NoCms);
        Assert.True(errors.Count == 0, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        return config!;
    }

    private static IReadOnlyDictionary<string, string[]> Refused(string json, CmsSourceOptions? cms = null)
    {
        var (config, errors) = Parse(json).Read(cms ?? NoCms);
        Assert.Null(config);
        return errors;
    }

    [Theory]
    [InlineData("0", "sunday")]
    [InlineData("1", "monday")]
    [InlineData("6", "saturday")]
    [InlineData("\"3\"", "wednesday")]
    [InlineData("\"Monday\"", "monday")]
    [InlineData("\"SUNDAY\"", "sunday")]
    [InlineData("\"friday\"", "friday")]
    public void DayOfWeek_is_the_seeds_number_with_Sunday_0_or_a_name(string value, string stored)
    {
        var config = Read("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"weekly","time":"02:00","dayOfWeek":""" + value + """},"storage":{"type":"local","path":"x"}}""");
        Assert.Equal(stored, config.Schedule.DayOfWeek);
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("\"funday\"")]
    [InlineData("\"\"")]
    [InlineData("true")]
    [InlineData("[1]")]
    public void A_bad_dayOfWeek_is_refused_saying_what_is_accepted(string value)
    {
        var e = Assert.ThrowsAny<JsonException>(() => Parse("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"weekly","time":"02:00","dayOfWeek":""" + value + """},"storage":{"type":"local","path":"x"}}"""));
        Assert.IsType<ConfigValueException>(e);
        Assert.Equal("$.schedule.dayOfWeek", e.Path);
        Assert.Contains("Sunday = 0", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"algorithm":"aes256"}""", "aes-256-gcm", null)]
    [InlineData("""{"algorithm":"AES256","enabled":true}""", "aes-256-gcm", null)]
    [InlineData("""{"algorithm":"chacha20"}""", "chacha20-poly1305", null)]
    [InlineData("""{"algorithm":"aes-256-gcm"}""", "aes-256-gcm", null)]
    [InlineData("""{"algorithm":"chacha20-poly1305","keyDerivation":"scrypt"}""", "chacha20-poly1305", "scrypt")]
    [InlineData("""{"enabled":true,"algorithm":"aes256","keyDerivation":"pbkdf2"}""", "aes-256-gcm", "pbkdf2")]
    [InlineData("""{"keyDerivation":"PBKDF2-SHA256"}""", "aes-256-gcm", "pbkdf2")]
    [InlineData("""{"enabled":false,"algorithm":"aes256"}""", "none", null)]
    [InlineData("""{"enabled":false}""", "none", null)]
    [InlineData("""{"algorithm":"none"}""", "none", null)]
    [InlineData("""{}""", "aes-256-gcm", null)]
    public void Encryption_takes_the_seeds_words_and_todays(string encryption, string algorithm, string? kdf)
    {
        var config = Read($$"""{{{Base}},"encryption":{{encryption}}}""");
        Assert.Equal(algorithm, config.Encryption.Algorithm);
        Assert.Equal(kdf, config.Encryption.KeyDerivation);
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("""{"enabled":true,"algorithm":"gzip","level":6}""", "gzip", 6)]
    [InlineData("""{"enabled":true,"algorithm":"bzip2"}""", "bzip2", 3)]
    [InlineData("""{"algorithm":"lzma"}""", "lzma", 3)]
    [InlineData("""{"algorithm":"Brotli"}""", "brotli", 3)]
    [InlineData("""{"enabled":true}""", "zstd", 3)]
    [InlineData("""{"enabled":false,"algorithm":"zstd","level":9}""", "none", 9)]
    public void Compression_takes_enabled_and_the_seeds_algorithms(string compression, string algorithm, int level)
    {
        var config = Read($$"""{{{Base}},"compression":{{compression}}}""");
        Assert.Equal(algorithm, config.Compression.Algorithm);
        Assert.Equal(level, config.Compression.Level);
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"compression":{"enabled":true,"algorithm":"none"}}""", "compression.enabled")]
    [InlineData("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"enabled":true,"algorithm":"none"}}""", "encryption.enabled")]
    [InlineData("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"keyDerivation":"argon2"}}""", "encryption.keyDerivation")]
    [InlineData("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual","maxConcurrent":2},"maxConcurrent":3,"storage":{"type":"local","path":"x"}}""", "schedule.maxConcurrent")]
    [InlineData("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual","timeZone":"UTC"},"timezone":"Europe/Berlin","storage":{"type":"local","path":"x"}}""", "timeZone")]
    [InlineData("""{"name":"n","type":"selective","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "type")]
    [InlineData("""{"name":"n","type":"selective","files":{"root":"/srv","components":[]},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "type")]
    public void Contradictions_and_unknown_words_are_refused_naming_the_field(string json, string field)
    {
        Assert.Contains(field, Refused(json).Keys);
    }

    [Fact]
    public void An_unknown_keyDerivation_that_reaches_the_validator_is_named_too()
    {
        var config = Read("{" + Base + "}") with { Encryption = new EncryptionOptions { KeyDerivation = "argon2" } };
        Assert.Contains("encryption.keyDerivation", BackupConfigValidator.Validate(config).Keys);
    }

    [Fact]
    public void MaxConcurrent_and_time_zone_are_read_from_either_place()
    {
        var inSchedule = Read("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"daily","time":"01:00","maxConcurrent":3,"timezone":"Europe/Berlin"},"storage":{"type":"local","path":"x"}}""");
        Assert.Equal((3, "Europe/Berlin"), (inSchedule.MaxConcurrent, inSchedule.Schedule.TimeZone));

        var topLevel = Read("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"daily","time":"01:00"},"maxConcurrent":2,"timeZone":"America/New_York","storage":{"type":"local","path":"x"}}""");
        Assert.Equal((2, "America/New_York"), (topLevel.MaxConcurrent, topLevel.Schedule.TimeZone));

        var both = Read("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual","maxConcurrent":2,"timeZone":"UTC"},"maxConcurrent":2,"timezone":"UTC","storage":{"type":"local","path":"x"}}""");
        Assert.Equal((2, "UTC"), (both.MaxConcurrent, both.Schedule.TimeZone));

        var neither = Read("{" + Base + "}");
        Assert.Equal((1, "UTC"), (neither.MaxConcurrent, neither.Schedule.TimeZone));
    }

    [Fact]
    public void A_storage_array_has_its_primary_where_marked_and_the_rest_as_replicas_in_order()
    {
        var config = Read("""
            {"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":[
              {"type":"local","path":"first","primary":false},
              {"id":"stg-0123456789abcdef01234567","primary":true,"prefix":"shop"},
              {"type":"azureBlob","container":"third"}]}
            """);
        Assert.Equal("stg-0123456789abcdef01234567", config.Storage.StorageId);
        Assert.Equal("shop", config.Storage.Prefix);
        Assert.Equal(["first", null], config.Replicas.Select(r => r.Path));
        Assert.Equal(["local", "azureBlob"], config.Replicas.Select(r => r.Type));
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("""[{"storageId":"stg-0123456789abcdef01234567"}]""", "stg-0123456789abcdef01234567", 0)]
    [InlineData("""[{"id":"stg-0123456789abcdef01234567","primary":true}]""", "stg-0123456789abcdef01234567", 0)]
    [InlineData("""{"storageId":"stg-0123456789abcdef01234567"}""", "stg-0123456789abcdef01234567", 0)]
    [InlineData("""{"type":"local","path":"p"}""", null, 0)]
    public void One_destination_needs_no_mark_and_the_object_form_still_works(string storage, string? storageId, int replicas)
    {
        var config = Read($$"""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{{storage}}}""");
        Assert.Equal(storageId, config.Storage.StorageId);
        Assert.Equal(replicas, config.Replicas.Count);
    }

    [Theory]
    [InlineData("""[{"type":"local","path":"a","primary":true},{"type":"local","path":"b"},{"type":"local","path":"c","primary":true}]""", "storage[2].primary")]
    [InlineData("""[{"type":"local","path":"a"},{"type":"local","path":"b"}]""", "storage")]
    [InlineData("""[]""", "storage")]
    [InlineData("""[{"id":"stg-0123456789abcdef01234567","storageId":"stg-0123456789abcdef0123456f"}]""", "storage[0].id")]
    [InlineData("""{"type":"local","path":"a","primary":false}""", "storage.primary")]
    public void Storage_lists_that_cannot_be_told_apart_are_refused_naming_the_entry(string storage, string field)
    {
        var errors = Refused($$"""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{{storage}}}""");
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public void Replicas_beside_a_storage_array_are_refused()
    {
        var errors = Refused("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":[{"type":"local","path":"a"}],"replicas":[{"type":"local","path":"b"}]}""");
        Assert.Contains("replicas", errors.Keys);
    }

    [Theory]
    [InlineData("""[{"type":"local","path":"a"},{"type":"azureBlob","container":"Bad_Name","primary":true}]""", "storage[1].container")]
    [InlineData("""[{"type":"azureBlob","container":"Bad_Name"},{"type":"local","path":"a","primary":true}]""", "storage[0].container")]
    [InlineData("""[{"type":"local","path":"a","primary":true},{"type":"local","path":"b"},{"type":"ftp"}]""", "storage[2].type")]
    [InlineData("""[{"type":"local","path":"a","primary":true},{"type":"local","path":"a"}]""", "storage[1]")]
    public void The_stored_forms_errors_are_named_by_the_input_path(string storage, string field)
    {
        var input = Parse($$"""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual"},"storage":{{storage}}}""");
        var (config, errors) = input.Read(NoCms);
        Assert.Empty(errors);
        Assert.Contains(field, input.InputPaths(BackupConfigValidator.Validate(config!)).Keys);
    }

    [Fact]
    public void MaxConcurrent_given_in_the_schedule_is_named_there_when_out_of_range()
    {
        var input = Parse("""{"name":"n","files":{"root":"/srv"},"schedule":{"frequency":"manual","maxConcurrent":11},"storage":{"type":"local","path":"x"}}""");
        var (config, _) = input.Read(NoCms);
        Assert.Contains("schedule.maxConcurrent", input.InputPaths(BackupConfigValidator.Validate(config!)).Keys);
    }

    [Theory]
    [InlineData("""{"colour":"red"}""", "$", "colour")]
    [InlineData("""{"storage":[{"type":"local","path":"a","colour":"red"}]}""", "$.storage[0]", "colour")]
    [InlineData("""{"storage":{"type":"local","colour":"red"}}""", "$.storage", "colour")]
    [InlineData("""{"schedule":{"frequency":"manual","colour":"red"}}""", "$.schedule", "colour")]
    [InlineData("""{"encryption":{"colour":"red"}}""", "$.encryption", "colour")]
    public void Unknown_fields_are_still_refused_at_their_place(string json, string parentPath, string name)
    {
        var e = Assert.ThrowsAny<JsonException>(() => Parse(json));
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(parentPath, e.Path ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void The_seeds_whole_config_is_read()
    {
        var config = Read("""
            {
              "id": "", "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z",
              "name": "Nightly", "description": "Database and media", "type": "selective", "enabled": false, "verification": false,
              "files": { "components": ["uploads"] },
              "schedule": { "frequency": "weekly", "time": "02:30", "dayOfWeek": 1, "timezone": "Europe/Berlin", "maxConcurrent": 2 },
              "storage": [ { "id": "stg-0123456789abcdef01234567", "primary": true }, { "type": "local", "path": "replica", "primary": false } ],
              "retention": { "keepDaily": 7, "keepWeekly": 4, "keepMonthly": 6, "keepYearly": 1, "maxTotalBackups": 50, "autoCleanup": true },
              "compression": { "enabled": true, "algorithm": "bzip2", "level": 6 },
              "encryption": { "enabled": true, "algorithm": "chacha20", "keyDerivation": "scrypt" }
            }
            """, Cms);
        Assert.Equal(("Nightly", "Database and media", "files", false, false), (config.Name, config.Description, config.Type, config.Enabled, config.Verification));
        Assert.Null(config.Database);
        Assert.Equal("/var/www/cms", config.Files!.Root);
        Assert.Equal(["uploads"], config.Files.Components);
        Assert.Equal(("monday", "Europe/Berlin", 2), (config.Schedule.DayOfWeek, config.Schedule.TimeZone, config.MaxConcurrent));
        Assert.Equal("stg-0123456789abcdef01234567", config.Storage.StorageId);
        Assert.Equal("replica", Assert.Single(config.Replicas).Path);
        Assert.Equal(("bzip2", 6), (config.Compression.Algorithm, config.Compression.Level));
        Assert.Equal(("chacha20-poly1305", "scrypt"), (config.Encryption.Algorithm, config.Encryption.KeyDerivation));
        Assert.Equal(50, config.Retention!.MaxTotalBackups);
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData(null, true, true)]
    [InlineData("full", true, true)]
    [InlineData("incremental", true, true)]
    [InlineData("database", true, false)]
    [InlineData("files", false, true)]
    public void Without_a_source_the_type_picks_the_parts_of_the_default_CMS(string? type, bool database, bool files)
    {
        var typeField = type is null ? "" : $"\"type\":\"{type}\",";
        var config = Read("""{"name":"n",""" + typeField + "\"schedule\":{\"frequency\":\"manual\"},\"storage\":{\"type\":\"local\",\"path\":\"x\"}}", Cms);
        Assert.Equal(database, config.Database is not null);
        Assert.Equal(files, config.Files is not null);
        if (database)
            Assert.Equal(("db.internal", 5433, "cms", "backup", "BackupSecrets__CMS_DB"), (config.Database!.Host, config.Database.Port, config.Database.Database, config.Database.Username, config.Database.PasswordSetting));
        if (files)
        {
            Assert.Equal("/var/www/cms", config.Files!.Root);
            Assert.Equal(["uploads", "themes"], config.Files.Components);
        }
        Assert.Empty(BackupConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData(null, "database")]
    [InlineData("database", "database")]
    [InlineData("files", "files")]
    [InlineData("full", "files")]
    public void Without_a_source_a_part_the_settings_do_not_name_is_refused_naming_the_setting(string? type, string field)
    {
        var onlyDatabase = new CmsSourceOptions { Database = Cms.Database };
        var cms = type == "full" ? onlyDatabase : NoCms;
        var typeField = type is null ? "" : $"\"type\":\"{type}\",";
        var errors = Refused("""{"name":"n",""" + typeField + "\"schedule\":{\"frequency\":\"manual\"},\"storage\":{\"type\":\"local\",\"path\":\"x\"}}", cms);
        Assert.Contains("Cms__", Assert.Contains(field, errors)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_files_source_without_root_needs_the_default_root()
    {
        Assert.Contains("files.root", Refused("""{"name":"n","files":{"components":["uploads"]},"schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""").Keys);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("db", "Cms:Database:Name")]
    public void The_default_CMS_settings_are_validated(string host, string? problem)
    {
        var options = new CmsSourceOptions { Database = new CmsDatabaseOptions { Host = host } };
        if (problem is null)
            Assert.Null(options.Validate());
        else
            Assert.Contains(problem, options.Validate(), StringComparison.Ordinal);
        Assert.Contains("Cms:Files:Root", new CmsSourceOptions { Files = new CmsFilesOptions { Root = "relative" } }.Validate(), StringComparison.Ordinal);
        Assert.Contains("PasswordSetting", new CmsSourceOptions { Database = new CmsDatabaseOptions { Host = "h", Name = "n", Username = "u", PasswordSetting = "hunter2" } }.Validate(), StringComparison.Ordinal);
        Assert.Contains("Components", new CmsSourceOptions { Files = new CmsFilesOptions { Components = "../etc" } }.Validate(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(KeyDerivations.Pbkdf2, PassphraseKek.Pbkdf2Sha256)]
    [InlineData(KeyDerivations.Scrypt, PassphraseKek.Scrypt)]
    public async Task KeyDerivation_picks_the_KDF_of_the_passphrase_key_and_the_envelope_still_unwraps(string word, string kdf)
    {
        // The app's default is the other KDF: the config's word must win.
        var kek = new PassphraseKek("correct horse", kdf == PassphraseKek.Scrypt ? PassphraseKek.Pbkdf2Sha256 : PassphraseKek.Scrypt);
        var dataKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(DataKeys.Size);

        var envelope = await kek.WrapAsync(dataKey, KeyDerivations.KekName(word), CancellationToken.None);

        Assert.Equal(kdf, envelope.Kdf!.Algorithm);
        Assert.Equal(dataKey, await new PassphraseKek("correct horse").UnwrapAsync(envelope, CancellationToken.None));
    }
}
