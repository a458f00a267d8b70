using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// A key-encryption key kept in a local file (local development, small installs): 32 random bytes, base64.
/// Data keys are wrapped with AES-256-GCM; the key id is a fingerprint of the key, never the key.
/// </summary>
/// <remarks>
/// Envelope: <c>WrappedKey</c> = base64(nonce(12) ‖ ciphertext(32) ‖ tag(16)), associated data
/// <c>"backupfunctions/dek-wrap/v1"</c>, <c>Algorithm</c> = <c>A256GCM</c>,
/// <c>KeyId</c> = <c>"local:"</c> + the first 16 hex digits of SHA-256(key).
/// </remarks>
public sealed class LocalKeyFileKek : IKeyEncryptionKey
{
    public const string WrapAlgorithm = "A256GCM";

    private const int KeySize = 32;
    private static readonly byte[] AssociatedData = "backupfunctions/dek-wrap/v1"u8.ToArray();

    private readonly byte[] _key;

    /// <summary>Loads the key file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file does not hold 32 bytes as base64.</exception>
    public LocalKeyFileKek(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Key file '{path}' does not exist.", path);
        try
        {
            _key = Convert.FromBase64String(File.ReadAllText(path, Encoding.ASCII).Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"Key file '{path}' must hold {KeySize} bytes as base64; it is not base64.");
        }
        if (_key.Length != KeySize)
        {
            var length = _key.Length;
            CryptographicOperations.ZeroMemory(_key);
            throw new InvalidDataException($"Key file '{path}' must hold {KeySize} bytes as base64; it holds {length}.");
        }
        KeyId = "local:" + Convert.ToHexStringLower(SHA256.HashData(_key))[..16];
    }

    /// <summary>Creates a new key file with owner-only permissions (0600); refuses to overwrite an existing one.</summary>
    /// <exception cref="IOException">The file already exists.</exception>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
            throw new IOException($"Key file '{path}' already exists; refusing to overwrite it.");

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        var key = RandomNumberGenerator.GetBytes(KeySize);
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n"));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public string KekType => "local";

    /// <summary><c>local:</c> + the first 16 hex digits of SHA-256 of the key.</summary>
    public string KeyId { get; }

    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken)
    {
        if (dataKey.Length != DataKeys.Size)
            throw new ArgumentException($"A data key is {DataKeys.Size} bytes, not {dataKey.Length}.", nameof(dataKey));

        return Task.FromResult(new KeyEnvelope(KekType, KeyId, WrapAlgorithm, AesGcmKeyWrap.Wrap(_key, dataKey.Span, AssociatedData)));
    }

    public Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.KekType != KekType)
            throw new IntegrityException($"The data key was wrapped by a '{envelope.KekType}' key, not a local key file.");
        if (envelope.KeyId != KeyId)
            throw new IntegrityException($"The data key was wrapped by key {envelope.KeyId}; this key file is {KeyId}.");
        if (envelope.Algorithm != WrapAlgorithm)
            throw new IntegrityException($"Wrap algorithm '{envelope.Algorithm}' is not {WrapAlgorithm}.");

        var dataKey = AesGcmKeyWrap.Unwrap(_key, envelope.WrappedKey, DataKeys.Size, AssociatedData,
            e => new IntegrityException($"The wrapped data key does not authenticate with key {KeyId}: it was altered.", e));
        return Task.FromResult(dataKey);
    }
}
