using System.Text;

namespace BackupFunctions.Core.Storage.S3;

/// <summary>
/// A Google Cloud Storage bucket reached through its S3-interoperable XML API with an HMAC key; an
/// <see cref="S3Store"/> made by <see cref="S3Store.ForGcs"/> serves it.
/// </summary>
/// <remarks>
/// Why the XML API and not Google.Cloud.Storage.V1: one code path (the S3 store, tested against a real loopback server
/// that speaks the same protocol), and an HMAC key pair works from anywhere, Azure included, without a Google
/// service-account JSON file. <see cref="ToString"/> leaves the secret out.
/// </remarks>
public sealed record GcsStoreSettings
{
    /// <summary>The XML API endpoint.</summary>
    public const string GoogleEndpoint = "https://storage.googleapis.com";

    /// <summary>The storage classes a put may ask for; every one of them reads back at once (with retrieval fees for the colder ones).</summary>
    public static IReadOnlyList<string> StorageClasses { get; } = ["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"];

    /// <summary>The bucket (it must exist).</summary>
    public required string Bucket { get; init; }

    /// <summary>The HMAC key's access id (GOOG…).</summary>
    public required string HmacAccessId { get; init; }

    public required string HmacSecret { get; init; }

    /// <summary>Storage class of new objects, one of <see cref="StorageClasses"/>; empty for the bucket's default.</summary>
    public string StorageClass { get; init; } = "";

    /// <summary>Another server speaking the XML API (tests); empty for Google's.</summary>
    public string Endpoint { get; init; } = "";

    /// <inheritdoc cref="S3StoreSettings.ConnectTimeout"/>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <inheritdoc cref="S3StoreSettings.RequestTimeout"/>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The S3 client settings that reach this bucket (Google signs SigV4 requests for the region "auto").</summary>
    public S3StoreSettings ToS3Settings() => new()
    {
        Endpoint = Endpoint.Length == 0 ? GoogleEndpoint : Endpoint,
        Region = "auto",
        Bucket = Bucket,
        AccessKeyId = HmacAccessId,
        SecretAccessKey = HmacSecret,
        ForcePathStyle = true,
        StorageClass = StorageClass,
        ConnectTimeout = ConnectTimeout,
        RequestTimeout = RequestTimeout,
    };

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {(Endpoint.Length == 0 ? GoogleEndpoint : Endpoint)}, Bucket = {Bucket}, HmacAccessId = {HmacAccessId}, ");
        builder.Append($"HmacSecret = ***, StorageClass = {(StorageClass.Length == 0 ? "(default)" : StorageClass)}");
        return true;
    }
}
