namespace BackupFunctions.Core.Keys;

/// <summary>
/// A backup's data key as stored: wrapped by a key-encryption key. Safe to store in manifests, tables and
/// orchestration history; the plain data key never is.
/// </summary>
/// <param name="KekType">Which kind of key-encryption key wrapped it: <c>local</c> (key file), <c>passphrase</c>, <c>keyvault</c>.</param>
/// <param name="KeyId">Identifies the key-encryption key without revealing it (a fingerprint, a Key Vault key URL with version).</param>
/// <param name="Algorithm">The wrap algorithm, e.g. <c>A256GCM</c>.</param>
/// <param name="WrappedKey">The wrapped data key, base64.</param>
public sealed record KeyEnvelope(string KekType, string KeyId, string Algorithm, string WrappedKey)
{
    /// <summary>How a passphrase became the key-encryption key (passphrase KEKs only); null otherwise.</summary>
    public KdfParameters? Kdf { get; init; }
}
