using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Keys;

public sealed class KeyEncryptionKeysTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Each_setting_chooses_its_kind_of_key()
    {
        var keyFile = _folder.Combine("backup.key");
        LocalKeyFileKek.Create(keyFile);
        var settings = new Dictionary<string, string?> { ["BACKUP_PASSPHRASE"] = "a passphrase" };

        Assert.IsType<LocalKeyFileKek>(KeyEncryptionKeys.Create(new KeyOptions { LocalKeyFile = keyFile }, settings.GetValueOrDefault));
        var passphrase = Assert.IsType<PassphraseKek>(KeyEncryptionKeys.Create(
            new KeyOptions { PassphraseSetting = "BACKUP_PASSPHRASE", PassphraseKdf = "scrypt" }, settings.GetValueOrDefault));
        Assert.Equal("scrypt", passphrase.WrapParameters.Algorithm);
        Assert.Equal("pbkdf2-sha256", Assert.IsType<PassphraseKek>(KeyEncryptionKeys.Create(
            new KeyOptions { PassphraseSetting = "BACKUP_PASSPHRASE" }, settings.GetValueOrDefault)).WrapParameters.Algorithm);
        Assert.IsType<KeyVaultKek>(KeyEncryptionKeys.Create(
            new KeyOptions { KeyVaultKeyUrl = "https://example.vault.azure.net/keys/backup-kek" }, settings.GetValueOrDefault));
    }

    [Fact]
    public void Exactly_one_key_setting_is_required_and_the_message_names_them()
    {
        var none = Assert.Throws<InvalidOperationException>(() => KeyEncryptionKeys.Create(new KeyOptions(), _ => null));
        foreach (var name in new[] { "Keys:LocalKeyFile", "Keys:PassphraseSetting", "Keys:KeyVaultKeyUrl" })
            Assert.Contains(name, none.Message, StringComparison.Ordinal);

        var two = KeyEncryptionKeys.Validate(
            new KeyOptions { PassphraseSetting = "P", KeyVaultKeyUrl = "https://example.vault.azure.net/keys/k" }, _ => "x");
        Assert.Contains("exactly one", two, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_values_are_named()
    {
        Assert.Contains("BACKUP_PASSPHRASE", KeyEncryptionKeys.Validate(new KeyOptions { PassphraseSetting = "BACKUP_PASSPHRASE" }, _ => ""), StringComparison.Ordinal);
        Assert.Contains("Keys:PassphraseKdf", KeyEncryptionKeys.Validate(new KeyOptions { PassphraseSetting = "P", PassphraseKdf = "md5" }, _ => "x"), StringComparison.Ordinal);
        Assert.Contains("Keys:KeyVaultKeyUrl", KeyEncryptionKeys.Validate(new KeyOptions { KeyVaultKeyUrl = "http://example.vault.azure.net/keys/k" }, _ => null), StringComparison.Ordinal);
        Assert.Contains("Keys:LocalKeyFile", KeyEncryptionKeys.Validate(new KeyOptions { LocalKeyFile = _folder.Combine("missing.key") }, _ => null), StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_checks_the_key_settings_at_start_up_and_resolves_the_passphrase_from_the_named_setting()
    {
        var bad = Build(new Dictionary<string, string?> { ["Keys:PassphraseSetting"] = "BACKUP_PASSPHRASE" });
        var e = Assert.Throws<OptionsValidationException>(() => bad.GetRequiredService<IOptions<KeyOptions>>().Value);
        Assert.Contains("BACKUP_PASSPHRASE", e.Message, StringComparison.Ordinal);

        var good = Build(new Dictionary<string, string?>
        {
            ["Keys:PassphraseSetting"] = "BACKUP_PASSPHRASE",
            ["BACKUP_PASSPHRASE"] = "a passphrase from the app settings",
        });
        Assert.IsType<PassphraseKek>(good.GetRequiredService<IKeyEncryptionKey>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddBackupEngine(configuration).BuildServiceProvider();
    }
}
