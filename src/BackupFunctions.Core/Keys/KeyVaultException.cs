namespace BackupFunctions.Core.Keys;

/// <summary>
/// Azure Key Vault refused or failed a request. The message says what to do; it carries the service's error code and
/// message, never a token or key material.
/// </summary>
public class KeyVaultException : Exception
{
    public KeyVaultException() { }
    public KeyVaultException(string message) : base(message) { }
    public KeyVaultException(string message, Exception innerException) : base(message, innerException) { }

    public KeyVaultException(string message, int status, string? errorCode) : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    /// <summary>The HTTP status of the vault's answer (0 when there was none).</summary>
    public int Status { get; }

    /// <summary>The vault's error code (e.g. <c>Forbidden</c>, <c>KeyNotFound</c>), when it sent one.</summary>
    public string? ErrorCode { get; }
}
