namespace BackupFunctions.Core.Keys;

/// <summary>
/// A key-encryption key kept in a local file (local development, small installs): 32 random bytes, base64.
/// Data keys are wrapped with AES-256-GCM; the key id is a fingerprint of the key, never the key.
/// </summary>
public sealed class LocalKeyFileKek : IKeyEncryptionKey
{
    public LocalKeyFileKek(string path) => throw new NotImplementedException();

    /// <summary>Creates a new key file with owner-only permissions; refuses to overwrite an existing one.</summary>
    public static void Create(string path) => throw new NotImplementedException();

    public string KekType => "local";

    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    public Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
