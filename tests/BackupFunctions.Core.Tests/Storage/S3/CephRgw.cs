using Amazon.Runtime;
using Amazon.S3;
using BackupFunctions.Core.Storage.S3;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>
/// The Ceph RADOS Gateway of the test run (scripts/servers/ceph-rgw.sh exports these variables; the defaults match
/// the script's, so a developer who started it by hand can run a single test from the IDE).
/// </summary>
public static class CephRgw
{
    public static string Endpoint => Env("BF_TEST_S3_ENDPOINT", "http://127.0.0.1:7480");

    public static string AccessKey => Env("BF_TEST_S3_ACCESS_KEY", "BFTESTKEY");

    public static string SecretKey => Env("BF_TEST_S3_SECRET_KEY", "BFTESTSECRET");

    /// <summary>A second user, with no rights on the first one's buckets.</summary>
    public static string OtherAccessKey => Env("BF_TEST_S3_OTHER_ACCESS_KEY", "BFTESTKEY2");

    public static string OtherSecretKey => Env("BF_TEST_S3_OTHER_SECRET_KEY", "BFTESTSECRET2");

    /// <summary>Store settings for <paramref name="bucket"/> as the first user.</summary>
    public static S3StoreSettings Settings(string bucket) => new()
    {
        Endpoint = Endpoint,
        Region = "us-east-1",
        Bucket = bucket,
        AccessKeyId = AccessKey,
        SecretAccessKey = SecretKey,
        ForcePathStyle = true,
    };

    /// <summary>The same bucket through the GCS profile (XML API request shaping), pointed at the gateway.</summary>
    public static GcsStoreSettings GcsSettings(string bucket) => new()
    {
        Endpoint = Endpoint,
        Bucket = bucket,
        HmacAccessId = AccessKey,
        HmacSecret = SecretKey,
    };

    /// <summary>A plain client for setting up and inspecting buckets behind the store's back.</summary>
    public static AmazonS3Client AdminClient() => new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        AuthenticationRegion = "us-east-1",
        ForcePathStyle = true,
        // Ceph Pacific refuses the SDK's default trailing checksums.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
