using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// An Azure Key Vault RSA key as the key-encryption key: wrap with RSA-OAEP-256 using only the public key (get-key),
/// unwrap through the vault's unwrapkey operation with the exact key version recorded in the envelope.
/// </summary>
/// <remarks>
/// <para>
/// A hand-written client of three Key Vault REST operations (get-key, unwrapkey; api-version 7.4) on Azure.Core's HTTP
/// pipeline, which brings retries honouring Retry-After, diagnostics and the bearer-token policy. The
/// Azure.Security.KeyVault.Keys package is not served by this project's package source, and these few calls do not
/// justify another dependency anyway.
/// </para>
/// <para>
/// Wrapping needs only the keys/get permission: the data key is encrypted here with the public key of the current (or
/// configured) version, and the envelope records the full versioned key id, so a rotated key still unwraps old
/// backups. Unwrapping needs keys/unwrapKey and goes to the envelope's key id, which must be on the configured vault's
/// host: an edited envelope cannot make this client send a token elsewhere.
/// </para>
/// </remarks>
public sealed partial class KeyVaultKek : IKeyEncryptionKey
{
    public const string WrapAlgorithm = "RSA-OAEP-256";

    private const int MinimumKeyBits = 2048;

    private readonly Uri _vault;
    private readonly string _keyName;
    private readonly string? _keyVersion;
    private readonly string _apiVersion;
    private readonly HttpPipeline _pipeline;
    private readonly ConcurrentDictionary<string, RSAParameters> _publicKeys = new(StringComparer.Ordinal);

    /// <param name="keyUrl">https://{vault}.vault.azure.net/keys/{name}[/{version}]; without a version, the current one is used for wrapping.</param>
    /// <exception cref="ArgumentException">The URL is not an https Key Vault key URL.</exception>
    public KeyVaultKek(Uri keyUrl, TokenCredential credential, KeyVaultKekOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keyUrl);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new KeyVaultKekOptions();

        if (!keyUrl.IsAbsoluteUri || keyUrl.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"The Key Vault key URL '{keyUrl}' must be https: bearer tokens are never sent over plain http.", nameof(keyUrl));
        if (ParseKeyPath(keyUrl) is not (var name, var version) || keyUrl.Query.Length > 0)
            throw new ArgumentException($"'{keyUrl}' is not a Key Vault key URL (https://{{vault}}.vault.azure.net/keys/{{name}}[/{{version}}]).", nameof(keyUrl));

        _vault = new Uri(keyUrl.GetLeftPart(UriPartial.Authority));
        _keyName = name;
        _keyVersion = version;
        _apiVersion = options.ApiVersion;
        _pipeline = HttpPipelineBuilder.Build(options, new KeyVaultChallengePolicy(credential, !options.DisableChallengeResourceVerification));
    }

    public string KekType => "keyvault";

    /// <summary>
    /// Wraps with the public key of the configured version, or of the current version when the URL names none (fetched
    /// on every wrap, once per backup, so a rotation takes effect at the next backup). Needs only keys/get.
    /// </summary>
    /// <exception cref="KeyVaultException">The vault refused get-key, or the key cannot serve as a key-encryption key.</exception>
    public async Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken)
    {
        if (dataKey.Length != DataKeys.Size)
            throw new ArgumentException($"A data key is {DataKeys.Size} bytes, not {dataKey.Length}.", nameof(dataKey));

        var (kid, publicKey) = await GetPublicKeyAsync(cancellationToken).ConfigureAwait(false);
        using var rsa = RSA.Create();
        rsa.ImportParameters(publicKey);
        var wrapped = rsa.Encrypt(dataKey.Span, RSAEncryptionPadding.OaepSHA256);
        return new KeyEnvelope(KekType, kid, WrapAlgorithm, Convert.ToBase64String(wrapped));
    }

    /// <summary>Unwraps through the vault's unwrapkey operation with the envelope's versioned key id. Needs keys/unwrapKey.</summary>
    /// <exception cref="IntegrityException">The envelope is not a Key Vault envelope of this vault, or it was altered.</exception>
    /// <exception cref="KeyVaultException">The vault refused the request (permission, missing key, …).</exception>
    public async Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.KekType != KekType)
            throw new IntegrityException($"The data key was wrapped by a '{envelope.KekType}' key, not a Key Vault key.");
        if (envelope.Algorithm != WrapAlgorithm)
            throw new IntegrityException($"Wrap algorithm '{envelope.Algorithm}' is not {WrapAlgorithm}.");
        var kid = CheckEnvelopeKeyId(envelope.KeyId);
        byte[] wrapped;
        try
        {
            wrapped = Convert.FromBase64String(envelope.WrappedKey);
        }
        catch (FormatException e)
        {
            throw new IntegrityException("The wrapped data key is not base64.", e);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["alg"] = WrapAlgorithm,
            ["value"] = Base64Url.EncodeToString(wrapped),
        });
        byte[] dataKey;
        try
        {
            using var result = await SendAsync(RequestMethod.Post, new Uri(kid + "/unwrapkey"), body, KeyOperation.Unwrap, kid, cancellationToken)
                .ConfigureAwait(false);
            dataKey = Base64Url.DecodeFromChars(RequiredString(result.RootElement, "value", kid));
        }
        catch (KeyVaultException e) when (e.Status == 400)
        {
            // The vault answers 400 when RSA-OAEP decryption fails: the wrapped key was edited or belongs to another key.
            throw new IntegrityException($"Key Vault could not unwrap the data key with {kid}: the envelope was altered or wrapped by another key.", e);
        }
        catch (FormatException e)
        {
            throw new KeyVaultException($"Key Vault's unwrapkey answer for {kid} is not base64url.", e);
        }
        if (dataKey.Length != DataKeys.Size)
        {
            var length = dataKey.Length;
            CryptographicOperations.ZeroMemory(dataKey);
            throw new IntegrityException($"The key unwrapped with {kid} is {length} bytes, not a {DataKeys.Size}-byte data key: the envelope was altered.");
        }
        return dataKey;
    }

    private async Task<(string Kid, RSAParameters PublicKey)> GetPublicKeyAsync(CancellationToken cancellationToken)
    {
        var keyUrl = new Uri(_vault, $"keys/{_keyName}" + (_keyVersion is null ? "" : "/" + _keyVersion));
        var description = keyUrl.AbsoluteUri;
        // A versioned key never changes, so its public key is fetched once; the current version is asked for every time.
        if (_keyVersion is not null && _publicKeys.TryGetValue(description, out var cached))
            return (description, cached);

        using var result = await SendAsync(RequestMethod.Get, keyUrl, null, KeyOperation.Get, description, cancellationToken)
            .ConfigureAwait(false);
        if (!result.RootElement.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.Object)
            throw new KeyVaultException($"Key Vault's answer for {description} has no key.");

        var kid = RequiredString(key, "kid", description);
        if (!Uri.TryCreate(kid, UriKind.Absolute, out var kidUri) || !IsOnVault(kidUri) || ParseKeyPath(kidUri) is not (var name, { } version)
            || name != _keyName || (_keyVersion is not null && version != _keyVersion))
            throw new KeyVaultException($"Key Vault answered for {description} with key id '{kid}', which is not a version of that key.");
        if (_publicKeys.TryGetValue(kid, out cached))
            return (kid, cached);

        var kty = key.TryGetProperty("kty", out var ktyValue) ? ktyValue.GetString() : null;
        if (kty is not ("RSA" or "RSA-HSM"))
            throw new KeyVaultException($"Key {kid} is of type '{kty}'; RSA-OAEP-256 wrapping needs an RSA or RSA-HSM key.");
        // Wrapping locally ignores key_ops, but a key that may not unwrap would make every backup unrestorable.
        if (key.TryGetProperty("key_ops", out var ops) && ops.ValueKind == JsonValueKind.Array
            && !ops.EnumerateArray().Any(op => op.GetString() == "unwrapKey"))
            throw new KeyVaultException($"Key {kid} does not permit the unwrapKey operation (key_ops); backups wrapped with it could not be restored.");
        if (result.RootElement.TryGetProperty("attributes", out var attributes)
            && attributes.TryGetProperty("enabled", out var enabled) && enabled.ValueKind == JsonValueKind.False)
            throw new KeyVaultException($"Key {kid} is disabled; enable it or configure another version.");

        RSAParameters publicKey;
        try
        {
            publicKey = new RSAParameters
            {
                Modulus = Base64Url.DecodeFromChars(RequiredString(key, "n", kid)).AsSpan().TrimStart((byte)0).ToArray(),
                Exponent = Base64Url.DecodeFromChars(RequiredString(key, "e", kid)),
            };
        }
        catch (FormatException e)
        {
            throw new KeyVaultException($"Key Vault's public key {kid} is not base64url.", e);
        }
        if (publicKey.Modulus.Length * 8 < MinimumKeyBits)
            throw new KeyVaultException($"Key {kid} has {publicKey.Modulus.Length * 8} bits; at least {MinimumKeyBits} are required.");

        _publicKeys.TryAdd(kid, publicKey);
        return (kid, publicKey);
    }

    /// <summary>The envelope's key id as a versioned key URL of the configured vault, or an <see cref="IntegrityException"/>.</summary>
    private string CheckEnvelopeKeyId(string keyId)
    {
        if (!Uri.TryCreate(keyId, UriKind.Absolute, out var kid) || kid.Query.Length > 0 || kid.Fragment.Length > 0
            || ParseKeyPath(kid) is not (_, not null))
            throw new IntegrityException($"The envelope's key id '{keyId}' is not a versioned Key Vault key URL.");
        if (!IsOnVault(kid))
            throw new IntegrityException(
                $"The envelope's key id '{keyId}' is not on the configured vault {_vault.Authority}; refused, so that no token is sent to another host.");
        return kid.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    private bool IsOnVault(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps && uri.Port == _vault.Port && uri.Host.Equals(_vault.Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>(name, version) of /keys/{name}[/{version}][/], or null for any other path.</summary>
    private static (string Name, string? Version)? ParseKeyPath(Uri uri)
    {
        var match = KeyPath().Match(uri.AbsolutePath);
        return match.Success ? (match.Groups["name"].Value, match.Groups["version"].Success ? match.Groups["version"].Value : null) : null;
    }

    private async Task<JsonDocument> SendAsync(
        RequestMethod method, Uri uri, byte[]? body, KeyOperation operation, string key, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Uri.AppendQuery("api-version", _apiVersion);
        request.Headers.Add("Accept", "application/json");
        if (body is not null)
        {
            request.Headers.Add("Content-Type", "application/json");
            request.Content = RequestContent.Create(body);
        }

        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
            throw Failure(response, operation, key);
        try
        {
            return JsonDocument.Parse(response.Content.ToMemory());
        }
        catch (JsonException e)
        {
            throw new KeyVaultException($"Key Vault's answer for {key} is not JSON.", e);
        }
    }

    private static KeyVaultException Failure(Response response, KeyOperation operation, string key)
    {
        // The error body is {"error":{"code":…,"message":…,"innererror":{"code":…}}}; anything else is reported as is.
        string? code = null, serviceMessage = null;
        try
        {
            using var error = JsonDocument.Parse(response.Content.ToMemory());
            if (error.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                code = e.TryGetProperty("code", out var c) ? c.GetString() : null;
                serviceMessage = e.TryGetProperty("message", out var m) ? m.GetString() : null;
                if (e.TryGetProperty("innererror", out var inner) && inner.TryGetProperty("code", out var innerCode))
                    code += "/" + innerCode.GetString();
            }
        }
        catch (JsonException)
        {
        }

        var what = $"{response.Status}{(code is null ? "" : " " + code)}{(serviceMessage is null ? "" : ": " + serviceMessage)}";
        var message = (response.Status, operation) switch
        {
            (401, _) => $"Key Vault refused the identity's token for {key} ({what}). Check that the identity belongs to the vault's tenant.",
            (403, KeyOperation.Unwrap) => $"The identity lacks keys/unwrapKey permission on {key} ({what}). Give the restore identity the 'Key Vault Crypto User' role (or an access policy with Unwrap Key).",
            (403, _) => $"The identity lacks keys/get permission on {key} ({what}). Give it a role with Microsoft.KeyVault/vaults/keys/read (e.g. 'Key Vault Crypto Service Encryption User').",
            (404, _) => $"Key not found: {key} ({what}). Check Keys:KeyVaultKeyUrl, and the key version recorded in the backup; a deleted key can be recovered while soft-deleted.",
            _ => $"Key Vault {(operation == KeyOperation.Unwrap ? "unwrapkey" : "get-key")} for {key} failed ({what}).",
        };
        return new KeyVaultException(message, response.Status, code);
    }

    private static string RequiredString(JsonElement element, string property, string key) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new KeyVaultException($"Key Vault's answer for {key} has no '{property}'.");

    [GeneratedRegex("^/keys/(?<name>[0-9A-Za-z-]{1,127})(?:/(?<version>[0-9A-Za-z-]{1,64}))?/?$")]
    private static partial Regex KeyPath();

    private enum KeyOperation
    {
        Get,
        Unwrap,
    }
}
