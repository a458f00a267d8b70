namespace BackupFunctions.Core.Format;

/// <summary>
/// The bytes of <c>manifest.json</c>: plain JSON <c>{"mac": "...", "manifest": {...}}</c> where the MAC is
/// HMAC-SHA256 over the exact UTF-8 text of the "manifest" value, keyed by a key derived from the data key.
/// Anyone can read it; only the key holder can tell it is authentic.
/// </summary>
public static class ManifestFile
{
    /// <summary>Serializes and authenticates a manifest.</summary>
    public static byte[] Write(BackupManifest manifest, ReadOnlySpan<byte> dataKey)
        => throw new NotImplementedException();

    /// <summary>
    /// Parses without checking the MAC (the key envelope inside is needed to get the key). Malformed JSON throws
    /// <see cref="IntegrityException"/>; an unknown format version throws <see cref="NotSupportedException"/> naming it.
    /// </summary>
    public static UnverifiedManifest Read(ReadOnlySpan<byte> bytes)
        => throw new NotImplementedException();
}
