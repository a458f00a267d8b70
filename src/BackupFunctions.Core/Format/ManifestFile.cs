using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The bytes of <c>manifest.json</c>: plain JSON <c>{"mac": "...", "manifest": {...}}</c> where the MAC is
/// HMAC-SHA256 over the exact UTF-8 text of the "manifest" value, keyed by a key derived from the data key.
/// Anyone can read it; only the key holder can tell it is authentic. A backup without encryption has no data key:
/// its manifest has <c>"mac": null</c> and <c>"key": null</c>, and is not authenticated.
/// </summary>
public static class ManifestFile
{
    public const string FileName = "manifest.json";

    private const string MacPrefix = "hmac-sha256:";
    private const int MacSize = 32;

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>
    /// Serializes and authenticates a manifest. For encryption <c>none</c> there is no MAC and
    /// <paramref name="dataKey"/> is not used (pass it empty).
    /// </summary>
    /// <exception cref="ArgumentException">The key envelope is missing with encryption, or present without.</exception>
    public static byte[] Write(BackupManifest manifest, ReadOnlySpan<byte> dataKey)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var unencrypted = EncryptionAlgorithms.IsNone(manifest.Encryption);
        if (unencrypted != manifest.Key is null)
        {
            throw new ArgumentException(
                "A manifest has a key envelope exactly when its parts are encrypted (encryption other than 'none').", nameof(manifest));
        }
        if (unencrypted)
        {
            var output = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNull("mac");
                writer.WritePropertyName("manifest");
                JsonSerializer.Serialize(writer, manifest, JsonOptions);
                writer.WriteEndObject();
            }
            return output.WrittenSpan.ToArray();
        }
        return WriteAuthenticated(manifest, dataKey);
    }

    private static byte[] WriteAuthenticated(BackupManifest manifest, ReadOnlySpan<byte> dataKey)
    {
        // Written in one pass with a placeholder MAC of the final length, so that the manifest is indented as part
        // of the file; the MAC of the manifest's bytes, exactly as a reader will find them, then replaces it.
        var placeholder = MacPrefix + new string('A', Base64Length(MacSize));
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("mac", placeholder);
            writer.WritePropertyName("manifest");
            JsonSerializer.Serialize(writer, manifest, JsonOptions);
            writer.WriteEndObject();
        }
        var bytes = output.WrittenSpan.ToArray();

        byte[] mac;
        using (var document = JsonDocument.Parse(bytes))
            mac = ComputeMac(dataKey, manifest.BackupId, JsonMarshal.GetRawUtf8Value(document.RootElement.GetProperty("manifest")));

        var macText = Encoding.ASCII.GetBytes(MacPrefix + Convert.ToBase64String(mac));
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(placeholder));
        macText.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    /// <summary>
    /// Parses without checking the MAC (the key envelope inside is needed to get the key). Malformed JSON throws
    /// <see cref="IntegrityException"/>; an unknown format version throws <see cref="NotSupportedException"/> naming it.
    /// A manifest without a MAC is accepted only when it says encryption <c>none</c> (and has no key envelope); one
    /// that claims an encryption algorithm without a MAC is an <see cref="IntegrityException"/>.
    /// </summary>
    public static UnverifiedManifest Read(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(
                bytes.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Malformed("the top level is not an object");
            if (!root.TryGetProperty("mac", out var macElement) || macElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                throw Malformed("no \"mac\" string or null");
            if (!root.TryGetProperty("manifest", out var manifestElement) || manifestElement.ValueKind != JsonValueKind.Object)
                throw Malformed("no \"manifest\" object");

            // The version decides how the rest is read, so it is checked before anything else of the manifest.
            if (!manifestElement.TryGetProperty("formatVersion", out var version) || !version.TryGetInt32(out var formatVersion))
                throw Malformed("no \"formatVersion\" number");
            if (!BackupManifest.IsReadable(formatVersion))
            {
                throw new NotSupportedException(
                    $"manifest.json has format version {formatVersion}; this version of BackupFunctions reads versions {BackupManifest.CurrentFormatVersion} and {BackupManifest.VolumesFormatVersion}.");
            }

            var mac = macElement.ValueKind == JsonValueKind.Null ? null : DecodeMac(macElement.GetString()!);
            // The exact bytes of the "manifest" value in the file: what the MAC covers and what is deserialized.
            var authenticated = JsonMarshal.GetRawUtf8Value(manifestElement).ToArray();
            var manifest = JsonSerializer.Deserialize<BackupManifest>(authenticated, JsonOptions)
                ?? throw Malformed("the manifest is null");
            CheckProtection(manifest, mac is not null);
            ManifestVolumes.Check(manifest);
            ManifestReferences.Check(manifest);
            return new UnverifiedManifest(manifest, authenticated, mac);
        }
        catch (JsonException e)
        {
            throw new IntegrityException(FileName, $"not a valid manifest: {e.Message}", e);
        }
    }

    /// <summary>
    /// HMAC-SHA256 of <paramref name="authenticatedBytes"/> keyed by HKDF-SHA256 (no salt) of the data key with info
    /// <c>"backupfunctions/manifest/v1\0" + backupId</c>.
    /// </summary>
    internal static byte[] ComputeMac(ReadOnlySpan<byte> dataKey, string backupId, ReadOnlySpan<byte> authenticatedBytes)
    {
        if (dataKey.Length != PartKeys.KeySize)
            throw new ArgumentException($"A data key is {PartKeys.KeySize} bytes, not {dataKey.Length}.", nameof(dataKey));
        PartKeys.CheckInfoField(backupId, nameof(backupId));

        Span<byte> macKey = stackalloc byte[PartKeys.KeySize];
        try
        {
            HKDF.DeriveKey(
                HashAlgorithmName.SHA256, dataKey, macKey, salt: [], Encoding.UTF8.GetBytes($"backupfunctions/manifest/v1\0{backupId}"));
            return HMACSHA256.HashData(macKey, authenticatedBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(macKey);
        }
    }

    /// <summary>
    /// Only a backup without encryption may lack a MAC: otherwise anyone could strip the MAC of an encrypted backup's
    /// manifest and edit it. Checked on the words as written, before any is parsed, so that an unknown algorithm word
    /// without a MAC is refused as unauthenticated rather than reported as merely unsupported.
    /// </summary>
    private static void CheckProtection(BackupManifest manifest, bool hasMac)
    {
        var unencrypted = EncryptionAlgorithms.IsNone(manifest.Encryption);
        if (!hasMac && !unencrypted)
            throw new IntegrityException(FileName, $"no MAC, but the manifest says encryption '{manifest.Encryption}': it is not authentic");
        if (hasMac && unencrypted)
            throw Malformed("a manifest with encryption 'none' has no MAC (\"mac\": null)");
        if (unencrypted && manifest.Key is not null)
            throw Malformed("a manifest with encryption 'none' has no key envelope (\"key\": null)");
        if (!unencrypted && manifest.Key is null)
            throw Malformed($"encryption '{manifest.Encryption}' needs a key envelope, and \"key\" is null");
    }

    private static byte[] DecodeMac(string text)
    {
        if (!text.StartsWith(MacPrefix, StringComparison.Ordinal))
            throw Malformed($"the MAC is not \"{MacPrefix}...\"");
        var mac = new byte[MacSize];
        if (!Convert.TryFromBase64String(text[MacPrefix.Length..], mac, out var length) || length != MacSize)
            throw Malformed("the MAC is not 32 bytes of base64");
        return mac;
    }

    private static int Base64Length(int bytes) => (bytes + 2) / 3 * 4;

    private static IntegrityException Malformed(string reason) => new(FileName, $"not a valid manifest: {reason}");
}
