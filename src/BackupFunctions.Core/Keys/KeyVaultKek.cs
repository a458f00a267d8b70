using Azure.Core;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// An Azure Key Vault RSA key as the key-encryption key: wrap with RSA-OAEP-256 using only the public key (get-key),
/// unwrap through the vault's unwrapkey operation with the exact key version recorded in the envelope.
/// </summary>
public sealed class KeyVaultKek : IKeyEncryptionKey
{
    /// <param name="keyUrl">https://{vault}.vault.azure.net/keys/{name}[/{version}]; without a version, the current one is used for wrapping.</param>
    public KeyVaultKek(Uri keyUrl, TokenCredential credential, KeyVaultKekOptions? options = null) => throw new NotImplementedException();

    public string KekType => "keyvault";

    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken) => throw new NotImplementedException();
}
