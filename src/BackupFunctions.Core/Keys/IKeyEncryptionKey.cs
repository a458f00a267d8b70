namespace BackupFunctions.Core.Keys;

/// <summary>
/// Wraps and unwraps backup data keys. Implementations never log or return key material other than the envelope.
/// </summary>
public interface IKeyEncryptionKey
{
    /// <summary>The <see cref="KeyEnvelope.KekType"/> this key writes.</summary>
    string KekType { get; }

    /// <summary>Wraps a 32-byte data key.</summary>
    Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken);

    /// <summary>
    /// Unwraps a data key. Throws <see cref="Format.IntegrityException"/> when the envelope was not made by this key
    /// or was altered (wrong key file, edited envelope).
    /// </summary>
    Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken);
}
