using Azure.Core;

namespace BackupFunctions.Core.Keys;

/// <summary>Azure.Core client options of the Key Vault client (retries honour Retry-After; transport for tests).</summary>
/// <remarks>
/// <see cref="ClientOptions.Retry"/> governs retries of 408, 429 and 5xx responses and network failures; a
/// <c>Retry-After</c> header from the vault is honoured. <see cref="ClientOptions.Transport"/> can point the client at
/// a test server.
/// </remarks>
public sealed class KeyVaultKekOptions : ClientOptions
{
    /// <summary>The Key Vault REST API version of every request.</summary>
    public string ApiVersion { get; set; } = "7.4";

    /// <summary>
    /// Accept a 401 challenge whose <c>resource</c> is not a parent domain of the vault's host. Off by default, as in
    /// Microsoft's Key Vault clients: otherwise a host posing as the vault could name another service's resource and
    /// receive a token for it. Only for tests against a loopback vault.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }
}
