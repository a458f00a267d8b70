using Azure.Core;

namespace BackupFunctions.Core.Keys;

/// <summary>Azure.Core client options of the Key Vault client (retries honour Retry-After; transport for tests).</summary>
public sealed class KeyVaultKekOptions : ClientOptions
{
}
