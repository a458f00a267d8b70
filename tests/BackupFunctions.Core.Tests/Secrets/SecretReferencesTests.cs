using System.Security.Cryptography;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Secrets;

/// <summary>
/// The one rule for secrets given by reference: only app settings BackupSecrets__NAME, read only from that section,
/// checked when posted and again when read (rows written before the rule may name anything).
/// </summary>
public sealed class SecretReferencesTests
{
    private const string TransitKey = "the-transit-key-value";
    private const string SealingKey = "the-sealing-key-value";
    private const string Password = "the-ftp-password";

    /// <summary>The app's settings as configuration keys: its own secrets beside one that references may name.</summary>
    private static readonly SecretReferences Settings = TestSecretReferences.With(
        ("Keys:TransitKey", TransitKey),
        ("Secrets:SealingKey", SealingKey),
        ("AzureWebJobsStorage", "UseDevelopmentStorage=true"),
        ("DEMO_DB_PASSWORD", "demo"),
        ("BackupSecrets:FTP_PASSWORD", Password),
        ("BackupSecrets:db.password-2", "dotted"),
        ("BackupSecrets:Nested:Key", "nested"));

    public static TheoryData<string> Accepted => new()
    {
        "BackupSecrets__FTP_PASSWORD",
        "BackupSecrets:FTP_PASSWORD",
        "backupsecrets__FTP_PASSWORD",
        "BackupSecrets__db.password-2",
        "BackupSecrets__X",
        "BackupSecrets___X",
        "BackupSecrets__" + new string('a', 100),
    };

    public static TheoryData<string?> Refused => new()
    {
        null,
        "",
        "Keys:TransitKey",
        "Keys__TransitKey",
        "Secrets:SealingKey",
        "Secrets__SealingKey",
        "AzureWebJobsStorage",
        "DEMO_DB_PASSWORD",
        "BackupSecrets",
        "BackupSecrets__",
        "BackupSecrets:",
        "BackupSecretsX",
        "XBackupSecrets__A",
        "BackupSecrets__Nested__Key",
        "BackupSecrets:Nested:Key",
        "BackupSecrets__A:B",
        "BackupSecrets__A__",
        "BackupSecrets__a b",
        "BackupSecrets__a/b",
        "BackupSecrets__a\nb",
        "BackupSecrets__ä",
        "BackupSecrets__" + new string('a', 101),
        " BackupSecrets__X",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_name_under_BackupSecrets_is_accepted(string reference)
    {
        Assert.Null(SecretReferences.Problem(reference));
        Assert.StartsWith("BackupSecrets__", SecretReferences.Canonical(reference), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Every_other_name_is_refused(string? reference)
    {
        Assert.Equal(SecretReferences.Rule, SecretReferences.Problem(reference));
        if (reference is not null)
            Assert.Throws<ArgumentException>(() => SecretReferences.Canonical(reference));
    }

    [Theory]
    [InlineData("BackupSecrets__FTP_PASSWORD")]
    [InlineData("BackupSecrets:FTP_PASSWORD")]
    [InlineData("BACKUPSECRETS__ftp_password")]
    public void A_reference_reads_its_setting_from_the_BackupSecrets_section(string reference)
    {
        Assert.Equal(Password, Settings.Resolve(reference, "secret", "it"));
    }

    [Theory]
    [InlineData("BackupSecrets:FTP_PASSWORD", "BackupSecrets__FTP_PASSWORD")]
    [InlineData("backupsecrets__X", "BackupSecrets__X")]
    [InlineData("BackupSecrets__db.password-2", "BackupSecrets__db.password-2")]
    public void A_reference_is_kept_in_the_app_setting_form(string reference, string canonical)
        => Assert.Equal(canonical, SecretReferences.Canonical(reference));

    [Theory]
    [InlineData("Keys:TransitKey", TransitKey)]
    [InlineData("Secrets:SealingKey", SealingKey)]
    [InlineData("AzureWebJobsStorage", "UseDevelopmentStorage=true")]
    [InlineData("DEMO_DB_PASSWORD", "demo")]
    [InlineData("BackupSecrets:Nested:Key", "nested")]
    public void A_stored_reference_outside_the_rule_is_not_read_and_the_message_says_what_to_do(string reference, string value)
    {
        // A row written before the rule: the setting it names exists, and must still not be read.
        var e = Assert.Throws<InvalidOperationException>(() => Settings.Resolve(reference, "secret 'password' of storage location stg-1", "the storage location"));

        Assert.Contains($"'{reference}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("BackupSecrets__NAME", e.Message, StringComparison.Ordinal);
        Assert.Contains("post the storage location again", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_to_a_missing_setting_names_it()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Settings.Resolve("BackupSecrets__NOT_THERE", "database password", "the config"));
        Assert.Contains("BackupSecrets__NOT_THERE", e.Message, StringComparison.Ordinal);
        Assert.Contains("not set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sealer_keeps_the_canonical_reference_and_reveals_only_through_the_rule()
    {
        var sealer = new SecretSealer(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Settings);

        var stored = sealer.Protect("stg-1", "password", new SecretValue { Setting = "BackupSecrets:FTP_PASSWORD" });

        Assert.Equal("setting:BackupSecrets__FTP_PASSWORD", stored);
        Assert.Equal(Password, sealer.Reveal("stg-1", "password", stored));
        Assert.Throws<ArgumentException>(() => sealer.Protect("stg-1", "password", new SecretValue { Setting = "Keys:TransitKey" }));
        var e = Assert.Throws<InvalidOperationException>(() => sealer.Reveal("stg-1", "password", "setting:Keys:TransitKey"));
        Assert.Contains("storage location stg-1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TransitKey, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Keys:TransitKey")]
    [InlineData("DEMO_DB_PASSWORD")]
    public void A_database_password_setting_outside_the_rule_is_not_read(string setting)
    {
        var passwords = new DatabasePasswords(Settings);
        var source = new DatabaseSource { Host = "db.example.com", Database = "cms", Username = "backup", PasswordSetting = setting };

        var e = Assert.Throws<InvalidOperationException>(() => passwords.Resolve(source));

        Assert.Contains("database.passwordSetting", e.Message, StringComparison.Ordinal);
        Assert.Contains("post the config again", e.Message, StringComparison.Ordinal);
        Assert.Equal(Password, passwords.Resolve(source with { PasswordSetting = "BackupSecrets__FTP_PASSWORD" }));
        Assert.Null(passwords.Resolve(source with { PasswordSetting = null }));
    }

    [Theory]
    [InlineData("Keys:TransitKey", true)]
    [InlineData("DEMO_DB_PASSWORD", true)]
    [InlineData("BackupSecrets__DEMO_DB_PASSWORD", false)]
    public void The_config_validator_applies_the_same_rule_to_database_passwordSetting(string setting, bool refused)
    {
        var config = new BackupConfig
        {
            Name = "blog",
            Database = new DatabaseSource { Host = "db.example.com", Database = "cms", Username = "backup", PasswordSetting = setting },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "x" },
        };

        Assert.Equal(refused, BackupConfigValidator.Validate(config).ContainsKey("database.passwordSetting"));
    }

    [Theory]
    [InlineData("Keys:TransitKey", true)]
    [InlineData("BackupSecrets__CMS_OWNER", false)]
    public void The_config_validator_applies_the_same_rule_to_database_restore_passwordSetting(string setting, bool refused)
    {
        var config = new BackupConfig
        {
            Name = "blog",
            Database = new DatabaseSource
            {
                Host = "db.example.com", Database = "cms", Username = "backup",
                Restore = new DatabaseRestoreRole { Username = "cms_owner", PasswordSetting = setting },
            },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "x" },
        };

        var problems = BackupConfigValidator.Validate(config);

        Assert.Equal(refused, problems.ContainsKey("database.restore.passwordSetting"));
        Assert.False(problems.ContainsKey("database.restore.username"));
        Assert.True(BackupConfigValidator.Validate(config with { Database = config.Database with { Restore = new DatabaseRestoreRole { Username = " " } } })
            .ContainsKey("database.restore.username"));
    }
}
