using System.Security.Cryptography;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Keys;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host with an Azure Key Vault key (a real HTTPS server on 127.0.0.1 following the Key Vault contract) as
/// key-encryption key, signed in as an identity that may only READ keys — no wrap, no unwrap — plus a transit key.
/// The backup must still work: wrapping uses the public key, the steps open the data key from its transit seal.
/// </summary>
public sealed class KeyVaultHostFixture : LocalHostFixture
{
    public const string KeyName = "backup-kek";
    public const string BackupIdentity = "backup-identity-token";
    public const string RestoreIdentity = "restore-identity-token";

    public FakeKeyVault Vault { get; private set; } = null!;

    public Uri KeyUrl => new($"{Vault.Authority}/keys/{KeyName}");

    protected override async Task BeforeStartAsync()
    {
        Vault = await FakeKeyVault.StartAsync();
        Vault.CreateKeyVersion(KeyName);
        Vault.AddIdentity(BackupIdentity, canGet: true, canWrap: false, canUnwrap: false);
        Vault.AddIdentity(RestoreIdentity, canGet: true, canWrap: true, canUnwrap: true);
    }

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["Keys:LocalKeyFile"] = "";
        settings["Keys:KeyVaultKeyUrl"] = KeyUrl.ToString();
        settings["Keys:TransitKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>The app would use DefaultAzureCredential; here it signs in as the read-only backup identity, trusting the test's certificate.</summary>
    protected override void ConfigureServices(IServiceCollection services)
        => services.AddSingleton<IKeyEncryptionKey>(new KeyVaultKek(KeyUrl, new FixedTokenCredential(BackupIdentity), Vault.PinnedClientOptions()));

    /// <summary>What an operator restoring would use: an identity with unwrap rights.</summary>
    public KeyVaultKek RestoreKey() => new(KeyUrl, new FixedTokenCredential(RestoreIdentity), Vault.PinnedClientOptions());

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Vault.DisposeAsync();
    }
}
