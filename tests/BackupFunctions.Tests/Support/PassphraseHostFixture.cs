using System.Security.Cryptography;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host with a passphrase as key-encryption key (named by a setting, as in Azure) and a transit key, so the
/// backup steps open the data key from its transit seal instead of unwrapping.
/// </summary>
public sealed class PassphraseHostFixture : LocalHostFixture
{
    public const string Passphrase = "correct horse battery staple — Grüße ✓";

    public string TransitKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Keys:LocalKeyFile"] = "";
        settings["Keys:PassphraseSetting"] = "BACKUP_PASSPHRASE";
        settings["BACKUP_PASSPHRASE"] = Passphrase;
        settings["Keys:TransitKey"] = TransitKey;
    }
}
