namespace BackupFunctions.Core.Format;

/// <summary>
/// Stored data failed an integrity check: tampered, truncated, reordered, swapped, or read with the wrong key.
/// <see cref="ObjectName"/> names the part so that an operator knows which object is bad.
/// </summary>
public class IntegrityException : Exception
{
    public IntegrityException() { }
    public IntegrityException(string message) : base(message) { }
    public IntegrityException(string message, Exception innerException) : base(message, innerException) { }

    public IntegrityException(string objectName, string message, Exception? innerException = null)
        : base($"{objectName}: {message}", innerException)
        => ObjectName = objectName;

    /// <summary>The object (part, manifest, index) that failed; null when not tied to one object.</summary>
    public string? ObjectName { get; }
}
