using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core.Pipeline;
using BackupFunctions.Core.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Tests.Keys;

/// <summary>
/// A loopback Key Vault on Kestrel with a self-signed certificate, following the documented keys REST contract:
/// get-key (latest and by version), wrapkey, unwrapkey (RSA-OAEP-256), the 401 bearer challenge, 403 per identity
/// permission, 404, and 429 with Retry-After. It also listens on plain http, to show no request ever reaches it there.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string ApiVersion = "7.4";
    public const string Tenant = "0f0e0d0c-0b0a-4000-8000-123456789abc";
    public const string Resource = "https://vault.azure.net";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, List<(string Version, RSA Key)>> _keys = new();
    private readonly ConcurrentDictionary<string, Identity> _identities = new();
    private int _throttleNext;
    private int _versionCounter;

    private FakeKeyVault(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }
    public Uri BaseUri { get; private set; } = null!;
    public Uri PlainHttpUri { get; private set; } = null!;

    /// <summary>Every request as received: method, path, Authorization header (null when none), answered status.</summary>
    public ConcurrentQueue<(string Method, string Path, string? Authorization, int Status)> Requests { get; } = new();

    /// <summary>The next this many requests (that pass authentication) get 429 with Retry-After: 1.</summary>
    public int ThrottleNext { set => Volatile.Write(ref _throttleNext, value); }

    public static async Task<FakeKeyVault> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var vault = new FakeKeyVault(app, certificate);
        app.Run(vault.HandleAsync);
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        vault.BaseUri = new Uri(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        vault.PlainHttpUri = new Uri(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        return vault;
    }

    public string Authority => BaseUri.GetLeftPart(UriPartial.Authority);

    public void AddIdentity(string token, bool canGet = true, bool canWrap = true, bool canUnwrap = true) =>
        _identities[token] = new Identity(canGet, canWrap, canUnwrap);

    /// <summary>Creates the key or rotates it: a new RSA-2048 version that becomes the current one. Returns the version.</summary>
    public string CreateKeyVersion(string name)
    {
        var version = $"v{Interlocked.Increment(ref _versionCounter)}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var versions = _keys.GetOrAdd(name, _ => []);
        lock (versions)
            versions.Add((version, RSA.Create(2048)));
        return version;
    }

    public string Kid(string name, string version) => $"{Authority}/keys/{name}/{version}";

    /// <summary>Client options that trust exactly this vault's certificate; its challenge names vault.azure.net, not 127.0.0.1.</summary>
    public KeyVaultKekOptions PinnedClientOptions()
    {
        var thumbprint = Certificate.GetCertHashString(HashAlgorithmName.SHA256);
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && certificate.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
        };
        var options = new KeyVaultKekOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = new HttpClientTransport(new HttpClient(handler)),
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxRetries = 2;
        return options;
    }

    /// <summary>Decrypts with the private key, as the vault's unwrap would (to check what a client wrapped locally).</summary>
    public byte[] Decrypt(string name, string version, byte[] wrapped) =>
        Find(name, version)!.Decrypt(wrapped, RSAEncryptionPadding.OaepSHA256);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var versions in _keys.Values)
            foreach (var (_, key) in versions)
                key.Dispose();
        Certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // A PKCS#12 round trip gives Kestrel a certificate whose private key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private RSA? Find(string name, string? version)
    {
        if (!_keys.TryGetValue(name, out var versions))
            return null;
        lock (versions)
            return version is null ? versions[^1].Key : versions.FirstOrDefault(v => v.Version == version).Key;
    }

    private string? CurrentVersion(string name)
    {
        if (!_keys.TryGetValue(name, out var versions))
            return null;
        lock (versions)
            return versions[^1].Version;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null;
        var status = await AnswerAsync(context, authorization);
        Requests.Enqueue((request.Method, request.Path.Value ?? "", authorization, status));
    }

    private async Task<int> AnswerAsync(HttpContext context, string? authorization)
    {
        var request = context.Request;
        var response = context.Response;
        if (request.Query["api-version"] != ApiVersion)
            return await ErrorAsync(response, 400, "BadParameter", "The api-version query parameter is missing or not supported.");

        var token = authorization?.StartsWith("Bearer ", StringComparison.Ordinal) == true ? authorization["Bearer ".Length..] : null;
        if (token is null || !_identities.TryGetValue(token, out var identity))
        {
            response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{Tenant}\", resource=\"{Resource}\"";
            return await ErrorAsync(response, 401, "Unauthorized", token is null ? "AKV10000: Request is missing a Bearer or PoP token." : "AKV10032: Invalid issuer.");
        }

        if (Interlocked.Decrement(ref _throttleNext) >= 0)
        {
            response.Headers.RetryAfter = "1";
            return await ErrorAsync(response, 429, "Throttled", "Request was not allowed because of throttling.");
        }

        var segments = (request.Path.Value ?? "").Trim('/').Split('/');
        if (segments is not ["keys", var name, ..] || segments.Length > 4)
            return await ErrorAsync(response, 400, "BadParameter", "Unknown path.");
        var version = segments.Length >= 3 ? segments[2] : null;
        var key = Find(name, version);
        if (key is null)
            return await ErrorAsync(response, 404, "KeyNotFound", $"A key with (name/id) {name}/{version} was not found in this key vault.");
        version ??= CurrentVersion(name)!;
        var kid = Kid(name, version);

        switch (request.Method, segments.Length == 4 ? segments[3] : null)
        {
            case ("GET", null):
                if (!identity.CanGet)
                    return await ErrorAsync(response, 403, "Forbidden", "The user, group or application does not have keys get permission on key vault.", "ForbiddenByPolicy");
                var publicKey = key.ExportParameters(includePrivateParameters: false);
                return await JsonAsync(response, new
                {
                    key = new
                    {
                        kid,
                        kty = "RSA",
                        key_ops = new[] { "encrypt", "decrypt", "wrapKey", "unwrapKey" },
                        n = Base64Url.EncodeToString(publicKey.Modulus),
                        e = Base64Url.EncodeToString(publicKey.Exponent),
                    },
                    attributes = new { enabled = true },
                });
            case ("POST", "wrapkey" or "unwrapkey") when segments.Length == 4:
                var unwrap = segments[3] == "unwrapkey";
                if (unwrap ? !identity.CanUnwrap : !identity.CanWrap)
                    return await ErrorAsync(response, 403, "Forbidden", $"The user, group or application does not have keys {(unwrap ? "unwrapKey" : "wrapKey")} permission on key vault.", "ForbiddenByPolicy");
                using (var body = await JsonDocument.ParseAsync(request.Body))
                {
                    if (body.RootElement.GetProperty("alg").GetString() != "RSA-OAEP-256")
                        return await ErrorAsync(response, 400, "BadParameter", "Unsupported algorithm.");
                    var value = Base64Url.DecodeFromChars(body.RootElement.GetProperty("value").GetString());
                    try
                    {
                        var result = unwrap ? key.Decrypt(value, RSAEncryptionPadding.OaepSHA256) : key.Encrypt(value, RSAEncryptionPadding.OaepSHA256);
                        return await JsonAsync(response, new { kid, value = Base64Url.EncodeToString(result) });
                    }
                    catch (CryptographicException)
                    {
                        return await ErrorAsync(response, 400, "BadParameter", "Bad Request");
                    }
                }
            default:
                return await ErrorAsync(response, 405, "MethodNotAllowed", "Method not allowed.");
        }
    }

    private static async Task<int> JsonAsync(HttpResponse response, object body)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(JsonSerializer.Serialize(body));
        return 200;
    }

    private static async Task<int> ErrorAsync(HttpResponse response, int status, string code, string message, string? innerCode = null)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        object error = innerCode is null ? new { code, message } : new { code, message, innererror = new { code = innerCode } };
        await response.WriteAsync(JsonSerializer.Serialize(new { error }));
        return status;
    }

    private sealed record Identity(bool CanGet, bool CanWrap, bool CanUnwrap);
}
