namespace BackupFunctions.Core.Format;

/// <summary>A parsed manifest whose MAC has not been checked yet.</summary>
public sealed class UnverifiedManifest
{
    public UnverifiedManifest(BackupManifest manifest, byte[] authenticatedBytes, byte[] mac)
    {
        Manifest = manifest;
        AuthenticatedBytes = authenticatedBytes;
        Mac = mac;
    }

    /// <summary>Readable before verification, but not to be trusted: only <see cref="Manifest"/>.Key is used to get the key.</summary>
    public BackupManifest Manifest { get; }

    internal byte[] AuthenticatedBytes { get; }

    internal byte[] Mac { get; }

    /// <summary>Checks the MAC in constant time; throws <see cref="IntegrityException"/> for <c>manifest.json</c> on mismatch.</summary>
    public BackupManifest Verify(ReadOnlySpan<byte> dataKey)
        => throw new NotImplementedException();
}
