namespace BackupCli;

/// <summary>The query options of an <c>s3://</c> or <c>gs://</c> destination (no credentials: those come from the environment).</summary>
/// <param name="Endpoint">Service URL of an S3-compatible server (or another XML API server for gs://); empty for AWS / Google.</param>
/// <param name="Region">Region the requests are signed for (s3:// only).</param>
/// <param name="PathStyle">Path-style URLs (s3:// only; default: on with an endpoint, off for AWS).</param>
/// <param name="StorageClass">Storage class of new objects; empty for the bucket's default.</param>
internal sealed record S3UriOptions(string Endpoint, string Region, bool PathStyle, string StorageClass);
