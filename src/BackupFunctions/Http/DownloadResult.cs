using BackupFunctions.Core.Downloads;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace BackupFunctions.Http;

/// <summary>
/// Streams a <see cref="IBackupDownload"/> as the response body: <c>application/x-tar</c>, <c>Content-Length</c>, and
/// <c>Content-Disposition: attachment</c> with its file name. Damage found while streaming aborts the connection: the
/// client sees a body shorter than its Content-Length (a failed download), never a complete-looking tar.
/// </summary>
public sealed class DownloadResult(IBackupDownload download, string backupId) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        await using (download)
        {
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/x-tar";
            response.ContentLength = download.Length;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(download.FileName);
            response.Headers.ContentDisposition = disposition.ToString();
            response.Headers.CacheControl = "no-store";
            try
            {
                await download.WriteToAsync(response.Body, http.RequestAborted);
            }
            catch (Exception e)
            {
                if (!http.RequestAborted.IsCancellationRequested)
                {
                    var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger<DownloadResult>();
                    logger?.LogError(e, "Download of backup {BackupId} stopped: {Error}", backupId, e.Message);
                }
                // Headers (and part of the body) are gone already: only breaking the connection tells the client.
                http.Abort();
            }
        }
    }
}
