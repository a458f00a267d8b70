using System.Text;

namespace BackupFunctions.Core.Storage.S3;

/// <summary>Everything an <see cref="S3Store"/> needs to reach one bucket of AWS S3 or an S3-compatible service.</summary>
/// <remarks>
/// The bucket must exist: the store never creates it (see docs/storage.md, "S3, S3-compatible and Google Cloud Storage"). <see cref="ToString"/>
/// leaves the secret out.
/// </remarks>
public sealed record S3StoreSettings
{
    /// <summary>The storage classes a put may ask for; all but the archive ones read back at once.</summary>
    public static IReadOnlyList<string> StorageClasses { get; } = ["STANDARD", "STANDARD_IA", "GLACIER", "DEEP_ARCHIVE"];

    /// <summary>
    /// Service URL of an S3-compatible server (e.g. <c>http://127.0.0.1:7480</c>, <c>https://s3.example.net</c>);
    /// empty for AWS S3, whose endpoint follows from <see cref="Region"/>.
    /// </summary>
    public string Endpoint { get; init; } = "";

    /// <summary>Region the requests are signed for (AWS: the bucket's region, e.g. <c>eu-central-1</c>).</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The bucket (it must exist).</summary>
    public required string Bucket { get; init; }

    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    /// <summary>Path-style URLs (<c>endpoint/bucket/key</c>) instead of virtual-hosted ones (<c>bucket.endpoint/key</c>); most self-hosted servers need it.</summary>
    public bool ForcePathStyle { get; init; }

    /// <summary>
    /// Storage class of new objects, one of <see cref="StorageClasses"/>; empty for the bucket's default (STANDARD).
    /// GLACIER and DEEP_ARCHIVE objects cannot be read before a restore: see <see cref="S3Store.ObjectsReadableImmediately"/>.
    /// </summary>
    public string StorageClass { get; init; } = "";

    /// <summary>
    /// S3 Object Lock for new objects; off by default. The bucket must have been created with Object Lock enabled,
    /// and the <see cref="S3Store"/> needs its retain-until function (a constructor argument).
    /// </summary>
    public S3ObjectLockMode ObjectLockMode { get; init; }

    /// <summary>Connect timeout of one HTTP request.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Time limit of one HTTP request until its response headers (a whole part upload); also the longest a download
    /// may wait for the next bytes.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {(Endpoint.Length == 0 ? "(AWS)" : Endpoint)}, Region = {Region}, Bucket = {Bucket}, ");
        builder.Append($"AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, ForcePathStyle = {ForcePathStyle}, ");
        builder.Append($"StorageClass = {(StorageClass.Length == 0 ? "(default)" : StorageClass)}, ObjectLockMode = {ObjectLockMode}");
        return true;
    }
}
