using Azure;
using Azure.Storage.Files.Shares;
using Azure.Storage.Files.Shares.Models;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A file on a share read front to back in ranges of <see cref="AzureFilesPaths.RangeBytes"/>, each streamed from its
/// response (nothing held beyond the network's own buffers), up to the length the file had when it was opened. A file
/// that is deleted or shrinks while it is read simply ends early: the archive's <c>HashingReadStream</c> completes it
/// and reports it as shrunk, as for a local file.
/// </summary>
/// <remarks>
/// Written here rather than taken from <see cref="ShareFileClient.OpenRead(ShareFileOpenReadOptions, CancellationToken)"/>:
/// that stream fails outright when the file changes (or keeps reading past the length promised to the tar header when
/// told to allow changes), where a live site's backup must note the change and go on.
/// </remarks>
internal sealed class ShareFileRangeStream(ShareFileClient file, long length) : ForwardOnlyReadStream
{
    private Stream? _range;
    private long _rangeEnd;
    private long _position;
    private bool _ended;

    public override int Read(Span<byte> buffer)
    {
        while (!_ended && buffer.Length > 0)
        {
            if (_range is null && !Open())
                break;
            var read = _range!.Read(buffer[..Wanted(buffer.Length)]);
            if (Account(read))
                return read;
        }
        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!_ended && buffer.Length > 0)
        {
            if (_range is null && !await OpenAsync(cancellationToken))
                break;
            var read = await _range!.ReadAsync(buffer[..Wanted(buffer.Length)], cancellationToken);
            if (Account(read))
                return read;
        }
        return 0;
    }

    private int Wanted(int bufferLength) => (int)Math.Min(bufferLength, _rangeEnd - _position);

    /// <returns>Whether bytes were read; at the end of a range, closes it so that the next read opens the next one.</returns>
    private bool Account(int read)
    {
        _position += read;
        if (read > 0 && _position < _rangeEnd)
            return true;
        if (read == 0 && _position < _rangeEnd)
            _ended = true; // the answer was shorter than asked: the file shrank
        _range?.Dispose();
        _range = null;
        return read > 0;
    }

    /// <returns>False at the end: the promised length was read, or the file is gone or shorter now.</returns>
    private bool Open()
    {
        if (Next() is not { } options)
            return false;
        try
        {
            return Accept(file.Download(options));
        }
        catch (RequestFailedException e) when (e.Status == 416 || AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            _ended = true; // gone, or now shorter than this position
            return false;
        }
    }

    /// <inheritdoc cref="Open"/>
    private async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        if (Next() is not { } options)
            return false;
        try
        {
            return Accept(await file.DownloadAsync(options, cancellationToken));
        }
        catch (RequestFailedException e) when (e.Status == 416 || AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            _ended = true; // gone, or now shorter than this position
            return false;
        }
    }

    /// <summary>The next range to ask for; null (and ended) once the promised length was read.</summary>
    private ShareFileDownloadOptions? Next()
    {
        if (_position >= length)
        {
            _ended = true;
            return null;
        }
        return new ShareFileDownloadOptions { Range = new HttpRange(_position, Math.Min(AzureFilesPaths.RangeBytes, length - _position)) };
    }

    private bool Accept(Response<ShareFileDownloadInfo> response)
    {
        _range = response.Value.Content;
        // The answer may be shorter than asked (the file shrank): never read beyond what it holds.
        _rangeEnd = _position + Math.Min(Math.Min(AzureFilesPaths.RangeBytes, length - _position), response.Value.ContentLength);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _range?.Dispose();
            _range = null;
        }
        base.Dispose(disposing);
    }
}
