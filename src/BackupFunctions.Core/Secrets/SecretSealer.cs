using System.Security.Cryptography;
using System.Text;

namespace BackupFunctions.Core.Secrets;

/// <summary>
/// Turns the secrets of a storage location into what a table row may hold, and back: a sealed value
/// (<c>sealed:v1:</c> + base64(nonce(12) ‖ ciphertext ‖ tag(16)), AES-256-GCM under the sealing key, with the
/// location id and the secret's name as associated data, so a sealed value copied to another row or field does
/// not open) or a reference to an app setting (<c>setting:BackupSecrets__NAME</c>, read through
/// <see cref="SecretReferences"/>, which refuses every setting outside <c>BackupSecrets</c>).
/// </summary>
public sealed class SecretSealer
{
    private const string SealedPrefix = "sealed:v1:";
    private const string SettingPrefix = "setting:";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[]? _key;
    private readonly SecretReferences _references;

    /// <param name="sealingKeyBase64">32 bytes as base64, or empty (then only setting references are accepted).</param>
    /// <param name="references">Reads the app settings that references name (only those under <c>BackupSecrets</c>).</param>
    public SecretSealer(string sealingKeyBase64, SecretReferences references)
    {
        ArgumentNullException.ThrowIfNull(sealingKeyBase64);
        ArgumentNullException.ThrowIfNull(references);
        _references = references;
        if (sealingKeyBase64.Length == 0)
            return;
        byte[] key;
        try
        {
            key = Convert.FromBase64String(sealingKeyBase64);
        }
        catch (FormatException)
        {
            throw new ArgumentException("Secrets:SealingKey must be 32 random bytes as base64; it is not base64.", nameof(sealingKeyBase64));
        }
        if (key.Length != 32)
            throw new ArgumentException($"Secrets:SealingKey must be 32 random bytes as base64; it holds {key.Length}.", nameof(sealingKeyBase64));
        _key = key;
    }

    /// <summary>Whether secret values can be sealed (a sealing key is configured).</summary>
    public bool CanSeal => _key is not null;

    /// <summary>What the row keeps for <paramref name="secret"/>.</summary>
    /// <exception cref="InvalidOperationException">A value was given but no sealing key is configured.</exception>
    public string Protect(string locationId, string name, SecretValue secret) => Protect(StoragePurpose, locationId, name, secret);

    /// <summary>
    /// What a row keeps for a secret of another kind of owner than a storage location: <paramref name="purpose"/> names
    /// the kind (<c>webhook</c>), <paramref name="owner"/> what the sealed value is bound to (it opens only there).
    /// </summary>
    /// <exception cref="InvalidOperationException">A value was given but no sealing key is configured.</exception>
    /// <exception cref="ArgumentException">A reference names a setting outside <c>BackupSecrets</c> (callers check <see cref="SecretReferences.Problem"/> first).</exception>
    public string Protect(string purpose, string owner, string name, SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Setting is { } setting)
            return SettingPrefix + SecretReferences.Canonical(setting);
        if (_key is null)
            throw new InvalidOperationException("Secret values cannot be stored: Secrets:SealingKey is not set. Reference an app setting instead: {\"setting\": \"BackupSecrets__NAME\"}.");

        var plain = Encoding.UTF8.GetBytes(secret.Value ?? "");
        var sealedBytes = new byte[NonceSize + plain.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key, TagSize))
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), AssociatedData(purpose, owner, name));
        CryptographicOperations.ZeroMemory(plain);
        return SealedPrefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The secret behind what a row keeps.</summary>
    /// <exception cref="InvalidOperationException">The setting is missing, the sealing key is not set or is not the one that sealed it, or the value was moved or edited.</exception>
    public string Reveal(string locationId, string name, string stored) => Reveal(StoragePurpose, locationId, name, stored);

    /// <summary>The secret behind what a row keeps, for a secret sealed with <see cref="Protect(string, string, string, SecretValue)"/>.</summary>
    /// <exception cref="InvalidOperationException">
    /// The setting is missing or outside <c>BackupSecrets</c>, the sealing key is not set or is not the one that sealed
    /// it, or the value was moved or edited.
    /// </exception>
    public string Reveal(string purpose, string owner, string name, string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        // Only a storage location's id is safe to name in a message; other owners (a webhook URL) may carry tokens.
        var subject = purpose == StoragePurpose ? $"storage location {owner}" : $"a {purpose}";
        if (stored.StartsWith(SettingPrefix, StringComparison.Ordinal))
        {
            return _references.Resolve(stored[SettingPrefix.Length..], $"secret '{name}' of {subject}",
                purpose == StoragePurpose ? "the storage location" : $"the config of the {purpose}");
        }
        if (!stored.StartsWith(SealedPrefix, StringComparison.Ordinal))
            throw new InvalidOperationException($"Secret '{name}' of {subject} is stored in an unknown form.");
        if (_key is null)
            throw new InvalidOperationException($"Secret '{name}' of {subject} is sealed, but Secrets:SealingKey is not set.");

        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(stored[SealedPrefix.Length..]);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"Secret '{name}' of {subject} is damaged (not base64).");
        }
        if (sealedBytes.Length < NonceSize + TagSize)
            throw new InvalidOperationException($"Secret '{name}' of {subject} is damaged (too short).");
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plain.Length), sealedBytes.AsSpan(NonceSize + plain.Length), plain,
                AssociatedData(purpose, owner, name));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidOperationException(
                $"Secret '{name}' of {subject} does not open: sealed with another Secrets:SealingKey, or edited or moved. Post the secret again.");
        }
        return Encoding.UTF8.GetString(plain);
    }

    private const string StoragePurpose = "storage-secret";

    private static byte[] AssociatedData(string purpose, string owner, string name) => Encoding.UTF8.GetBytes($"backupfunctions/{purpose}/v1\n{owner}\n{name}");
}
