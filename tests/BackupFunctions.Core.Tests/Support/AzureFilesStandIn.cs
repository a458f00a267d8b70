using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A documented stand-in for the Azure Files REST API, because no real Files server can run here (Azurite has no Files
/// service): Kestrel on http://127.0.0.1:&lt;free port&gt; serving one share of account <c>devstoreaccount1</c>, backed by a
/// temporary local folder. The real Azure SDK (Azure.Storage.Files.Shares) talks to it over HTTP with a SharedKey
/// connection string (<see cref="ConnectionString"/>); the signature is accepted and ignored.
/// </summary>
/// <remarks>
/// It implements only what <c>AzureFilesSiteSource</c> and <c>AzureFilesSiteTarget</c> call, with the shapes of the REST
/// reference (learn.microsoft.com/rest/api/storageservices/file-service-rest-api): List Directories and Files (XML,
/// marker paging, at most <see cref="PageSize"/> entries a page, <c>include=Timestamps</c>, encoded names), Get
/// Directory Properties, Create/Delete/Rename Directory, Create File, Get File Properties, Get File (ranges), Put Range
/// (at most 4 MiB), Set File Properties (size, last-write time) and Delete File, with the service's error codes in
/// <c>x-ms-error-code</c> and the error body. The SMB last-write time is the local file's mtime; the file id is its
/// inode. What the real service checks beyond this (authorization, leases, ACLs, quotas) is not modelled.
/// </remarks>
public sealed class AzureFilesStandIn : IAsyncDisposable
{
    public const string Account = "devstoreaccount1";

    /// <summary>Azurite's well-known development key: the stand-in ignores signatures, the SDK just needs a key to sign with.</summary>
    private const string DevelopmentKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int MaxRangeBytes = 4 * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly TempFolder _temp = new("bf-files-standin-");
    private readonly ConcurrentDictionary<string, List<string>> _forgedNames = new(StringComparer.Ordinal);

    private AzureFilesStandIn(WebApplication app, string share)
    {
        _app = app;
        ShareName = share;
        Directory.CreateDirectory(ShareRoot);
    }

    public string ShareName { get; }

    /// <summary>The local folder holding the share's content (tests build and inspect the site here).</summary>
    public string ShareRoot => _temp.Combine("share");

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>A SharedKey connection string for the SDK, its file endpoint this stand-in (path-style, like Azurite).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={DevelopmentKey};FileEndpoint={BaseUri}{Account}";

    /// <summary>The most entries one listing page holds (the service's own limit is 5000).</summary>
    public int PageSize { get; set; } = 5000;

    /// <summary>Every request, as "METHOD /path?query".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The largest Put Range body received.</summary>
    public long LargestRange { get; private set; }

    public static async Task<AzureFilesStandIn> StartAsync(string share = "site")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = MaxRangeBytes + 1;
        });
        var app = builder.Build();
        var standIn = new AzureFilesStandIn(app, share);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
        return standIn;
    }

    /// <summary>The local path of a share path ('/'-separated).</summary>
    public string Local(string sharePath) => Path.Combine([ShareRoot, .. sharePath.Split('/', StringSplitOptions.RemoveEmptyEntries)]);

    /// <summary>
    /// Adds file entries of these names to the listing of a folder, as a forged or broken answer would (names no share
    /// can hold: "..", "a/b", control characters). They are sent as the service sends awkward names: percent-encoded
    /// with <c>Encoded="true"</c>.
    /// </summary>
    public void ForgeListing(string sharePath, params string[] names) =>
        _forgedNames.GetOrAdd(sharePath.Trim('/'), _ => []).AddRange(names);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        Requests.Enqueue(request.Method + " " + raw);
        var query = request.Query;
        string? path = null;
        try
        {
            path = SharePath(raw);
            var local = Local(path);
            var isDirectory = query["restype"] == "directory";
            var comp = query["comp"].ToString();
            context.Response.Headers["x-ms-version"] = request.Headers["x-ms-version"].ToString();
            context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
            switch (request.Method, isDirectory, comp)
            {
                case ("GET", true, "list"): await ListAsync(context, path, local); break;
                case ("GET" or "HEAD", true, ""): DirectoryProperties(context, local); break;
                case ("PUT", true, ""): CreateDirectory(context, local); break;
                case ("DELETE", true, ""): DeleteDirectory(context, local); break;
                case ("PUT", true, "rename"): Rename(context, local); break;
                case ("PUT", true, "properties"): SetDirectoryProperties(context, local); break;
                case ("HEAD", false, ""): FileProperties(context, local); break;
                case ("GET", false, ""): await GetFileAsync(context, local); break;
                case ("PUT", false, "") when request.Headers["x-ms-type"] == "file": CreateFile(context, local); break;
                case ("PUT", false, "range"): await PutRangeAsync(context, local); break;
                case ("PUT", false, "properties"): SetFileProperties(context, local); break;
                case ("DELETE", false, ""): DeleteFile(context, local); break;
                default: await ErrorAsync(context, 400, "UnsupportedHttpVerb", $"the stand-in does not implement {request.Method} {raw}"); break;
            }
        }
        catch (StandInError e)
        {
            await ErrorAsync(context, e.Status, e.Code, e.Message);
        }
    }

    /// <summary>The path in the share from the raw request target (/account/share/a/b), each segment decoded and checked.</summary>
    private string SharePath(string rawTarget)
    {
        var pathPart = rawTarget.Split('?', 2)[0];
        var segments = pathPart.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (segments.Length < 2 || segments[0] != Account || segments[1] != ShareName)
            throw new StandInError(404, "ShareNotFound", "The specified share does not exist.");
        if (segments.Skip(2).Any(s => s is "." or ".." || s.Contains('/') || s.Contains('\\') || s.Any(char.IsControl)))
            throw new StandInError(400, "InvalidResourceName", "The specifed resource name contains invalid characters.");
        return string.Join('/', segments.Skip(2));
    }

    private async Task ListAsync(HttpContext context, string path, string local)
    {
        if (!Directory.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        var query = context.Request.Query;
        var includeTimestamps = query["include"].ToString().Split(',').Contains("Timestamps", StringComparer.OrdinalIgnoreCase);
        var entries = new DirectoryInfo(local).EnumerateFileSystemInfos()
            .Select(info => (info.Name, Info: (FileSystemInfo?)info, Encoded: false))
            .Concat(_forgedNames.TryGetValue(path, out var forged) ? forged.Select(name => (Name: name, Info: (FileSystemInfo?)null, Encoded: true)) : [])
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var marker = query["marker"].ToString();
        var start = marker.Length == 0 ? 0 : entries.FindIndex(e => string.CompareOrdinal(e.Name, marker) >= 0);
        if (start < 0)
            start = entries.Count;
        var max = int.TryParse(query["maxresults"], out var asked) ? Math.Min(asked, PageSize) : PageSize;
        var page = entries.Skip(start).Take(max).ToList();
        var next = start + page.Count < entries.Count ? entries[start + page.Count].Name : "";

        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.Append(CultureInfo.InvariantCulture,
            $"<EnumerationResults ServiceEndpoint=\"{BaseUri}{Account}/\" ShareName=\"{ShareName}\" DirectoryPath=\"{Escape(path)}\">");
        if (marker.Length > 0)
            xml.Append(CultureInfo.InvariantCulture, $"<Marker>{Escape(marker)}</Marker>");
        if (query.ContainsKey("maxresults"))
            xml.Append(CultureInfo.InvariantCulture, $"<MaxResults>{max}</MaxResults>");
        xml.Append(CultureInfo.InvariantCulture, $"<DirectoryId>{FileId(local)}</DirectoryId><Entries>");
        foreach (var (name, info, encoded) in page)
        {
            var isDirectory = info is DirectoryInfo;
            var element = isDirectory ? "Directory" : "File";
            var nameXml = encoded ? $"<Name Encoded=\"true\">{Uri.EscapeDataString(name)}</Name>" : $"<Name>{Escape(name)}</Name>";
            var written = info?.LastWriteTimeUtc ?? DateTime.UnixEpoch;
            xml.Append(CultureInfo.InvariantCulture, $"<{element}>{nameXml}<FileId>{(info is null ? "1" : FileId(info.FullName))}</FileId><Properties>");
            if (!isDirectory)
                xml.Append(CultureInfo.InvariantCulture, $"<Content-Length>{(info as FileInfo)?.Length ?? 1}</Content-Length>");
            if (includeTimestamps)
            {
                xml.Append(CultureInfo.InvariantCulture,
                    $"<CreationTime>{Iso(written)}</CreationTime><LastAccessTime>{Iso(written)}</LastAccessTime><LastWriteTime>{Iso(written)}</LastWriteTime><ChangeTime>{Iso(written)}</ChangeTime><Last-Modified>{written.ToString("R", CultureInfo.InvariantCulture)}</Last-Modified><Etag>{ETag(written)}</Etag>");
            }
            xml.Append(CultureInfo.InvariantCulture, $"</Properties></{element}>");
        }
        xml.Append(CultureInfo.InvariantCulture, $"</Entries><NextMarker>{Escape(next)}</NextMarker></EnumerationResults>");
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(xml.ToString());
    }

    private static void DirectoryProperties(HttpContext context, string local)
    {
        if (!Directory.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        SmbHeaders(context, new DirectoryInfo(local), "Directory");
    }

    private static void CreateDirectory(HttpContext context, string local)
    {
        if (!Directory.Exists(Path.GetDirectoryName(local)))
            throw new StandInError(404, "ParentNotFound", "The specified parent path does not exist.");
        if (Directory.Exists(local) || File.Exists(local))
            throw new StandInError(409, "ResourceAlreadyExists", "The specified resource already exists.");
        Directory.CreateDirectory(local);
        if (RequestedTime(context.Request.Headers["x-ms-file-last-write-time"]) is { } written)
            Directory.SetLastWriteTimeUtc(local, written);
        context.Response.StatusCode = 201;
        SmbHeaders(context, new DirectoryInfo(local), "Directory");
    }

    private static void DeleteDirectory(HttpContext context, string local)
    {
        if (!Directory.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        if (Directory.EnumerateFileSystemEntries(local).Any())
            throw new StandInError(409, "DirectoryNotEmpty", "The specified directory is not empty.");
        Directory.Delete(local);
        context.Response.StatusCode = 202;
    }

    private void Rename(HttpContext context, string local)
    {
        var source = context.Request.Headers["x-ms-file-rename-source"].ToString();
        var sourcePath = Uri.TryCreate(source, UriKind.Absolute, out var sourceUri)
            ? SharePath(sourceUri.AbsolutePath)
            : SharePath($"/{Account}/{ShareName}/{source.TrimStart('/')}");
        var sourceLocal = Local(sourcePath);
        if (!Directory.Exists(sourceLocal))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        if (!Directory.Exists(Path.GetDirectoryName(local)))
            throw new StandInError(404, "ParentNotFound", "The specified parent path does not exist.");
        if (Directory.Exists(local) || File.Exists(local))
        {
            if (!string.Equals(context.Request.Headers["x-ms-file-rename-replace-if-exists"], "true", StringComparison.OrdinalIgnoreCase))
                throw new StandInError(409, "ResourceAlreadyExists", "The specified resource already exists.");
            throw new StandInError(400, "UnsupportedHeader", "the stand-in does not replace on rename");
        }
        Directory.Move(sourceLocal, local);
        SmbHeaders(context, new DirectoryInfo(local), "Directory");
    }

    private static void FileProperties(HttpContext context, string local)
    {
        if (!File.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        var info = new FileInfo(local);
        SmbHeaders(context, info, "Archive");
        context.Response.Headers["x-ms-type"] = "File";
        context.Response.ContentLength = info.Length;
        context.Response.ContentType = "application/octet-stream";
    }

    private static async Task GetFileAsync(HttpContext context, string local)
    {
        if (!File.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        await using var content = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var info = new FileInfo(local);
        var length = content.Length;
        long start = 0, end = length - 1;
        var range = context.Request.Headers["x-ms-range"].ToString() is { Length: > 0 } ms ? ms : context.Request.Headers.Range.ToString();
        if (range.Length > 0)
        {
            (start, var last) = ParseRange(range);
            if (start >= length)
                throw new StandInError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.");
            end = Math.Min(last, length - 1);
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {start}-{end}/{length}";
        }
        SmbHeaders(context, info, "Archive");
        context.Response.Headers["x-ms-type"] = "File";
        context.Response.ContentType = "application/octet-stream";
        var count = Math.Max(0, end - start + 1);
        context.Response.ContentLength = count;
        content.Seek(start, SeekOrigin.Begin);
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)));
            if (read == 0)
                break;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read));
            count -= read;
        }
    }

    private static void CreateFile(HttpContext context, string local)
    {
        if (!Directory.Exists(Path.GetDirectoryName(local)))
            throw new StandInError(404, "ParentNotFound", "The specified parent path does not exist.");
        if (Directory.Exists(local))
            throw new StandInError(409, "ResourceAlreadyExists", "The specified resource already exists.");
        var size = long.Parse(context.Request.Headers["x-ms-content-length"].ToString(), CultureInfo.InvariantCulture);
        using (var file = new FileStream(local, FileMode.Create, FileAccess.Write))
            file.SetLength(size);
        if (RequestedTime(context.Request.Headers["x-ms-file-last-write-time"]) is { } written)
            File.SetLastWriteTimeUtc(local, written);
        context.Response.StatusCode = 201;
        SmbHeaders(context, new FileInfo(local), "Archive");
    }

    private async Task PutRangeAsync(HttpContext context, string local)
    {
        if (!File.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        var (start, end) = ParseRange(context.Request.Headers["x-ms-range"].ToString());
        var count = end - start + 1;
        if (count > MaxRangeBytes)
            throw new StandInError(413, "RequestBodyTooLarge", "The request body is too large.");
        if (end >= new FileInfo(local).Length)
            throw new StandInError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.");
        LargestRange = Math.Max(LargestRange, count);
        await using (var file = new FileStream(local, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Seek(start, SeekOrigin.Begin);
            if (context.Request.Headers["x-ms-write"] == "clear")
                file.Write(new byte[count]);
            else
                await context.Request.Body.CopyToAsync(file);
            if (file.Position != end + 1)
                throw new StandInError(400, "InvalidHeaderValue", "The body does not match the range.");
        }
        context.Response.StatusCode = 201;
        SmbHeaders(context, new FileInfo(local), "Archive");
    }

    private static void SetFileProperties(HttpContext context, string local)
    {
        if (!File.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        var before = File.GetLastWriteTimeUtc(local);
        if (context.Request.Headers["x-ms-content-length"].ToString() is { Length: > 0 } size)
        {
            using var file = new FileStream(local, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(long.Parse(size, CultureInfo.InvariantCulture));
        }
        var header = context.Request.Headers["x-ms-file-last-write-time"].ToString();
        File.SetLastWriteTimeUtc(local, RequestedTime(header) ?? (header == "now" ? DateTime.UtcNow : before));
        SmbHeaders(context, new FileInfo(local), "Archive");
    }

    private static void SetDirectoryProperties(HttpContext context, string local)
    {
        if (!Directory.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        if (RequestedTime(context.Request.Headers["x-ms-file-last-write-time"].ToString()) is { } written)
            Directory.SetLastWriteTimeUtc(local, written);
        SmbHeaders(context, new DirectoryInfo(local), "Directory");
    }

    private static void DeleteFile(HttpContext context, string local)
    {
        if (!File.Exists(local))
            throw new StandInError(404, "ResourceNotFound", "The specified resource does not exist.");
        File.Delete(local);
        context.Response.StatusCode = 202;
    }

    private static void SmbHeaders(HttpContext context, FileSystemInfo info, string attributes)
    {
        info.Refresh();
        var headers = context.Response.Headers;
        var written = info.LastWriteTimeUtc;
        headers.ETag = ETag(written);
        headers.LastModified = written.ToString("R", CultureInfo.InvariantCulture);
        headers["x-ms-file-creation-time"] = Iso(written);
        headers["x-ms-file-last-write-time"] = Iso(written);
        headers["x-ms-file-change-time"] = Iso(written);
        headers["x-ms-file-attributes"] = attributes;
        headers["x-ms-file-permission-key"] = "4066528134148476695*1";
        headers["x-ms-file-id"] = FileId(info.FullName);
        headers["x-ms-file-parent-id"] = FileId(Path.GetDirectoryName(info.FullName)!);
        headers["x-ms-request-server-encrypted"] = "true";
        headers["x-ms-server-encrypted"] = "true";
    }

    private static (long Start, long End) ParseRange(string header)
    {
        var parts = header.Replace("bytes=", "", StringComparison.Ordinal).Split('-');
        if (parts.Length != 2 || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var end) || end < start)
            throw new StandInError(400, "InvalidHeaderValue", $"bad range '{header}'");
        return (start, end);
    }

    /// <summary>A time the request sets (ISO 8601); null for "now", "preserve", "inherit" or none.</summary>
    private static DateTime? RequestedTime(string? header) =>
        DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.UtcDateTime : null;

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string ETag(DateTime written) => $"\"0x{written.Ticks:X}\"";

    private static string FileId(string local) =>
        Mono.Unix.Native.Syscall.lstat(local, out var stat) == 0 ? stat.st_ino.ToString(CultureInfo.InvariantCulture) : "0";

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static async Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        if (context.Request.Method == "HEAD")
            return;
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>{Escape(message)}</Message></Error>");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _temp.Dispose();
    }

    private sealed class StandInError(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}
