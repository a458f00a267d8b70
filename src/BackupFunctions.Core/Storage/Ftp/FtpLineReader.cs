using System.Text;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>
/// Reads CRLF-terminated lines (UTF-8) from the control connection. Unlike a StreamReader it can change the stream
/// underneath (after AUTH TLS) and refuses endless lines from a broken or hostile server.
/// </summary>
internal sealed class FtpLineReader(Stream stream)
{
    private const int MaxLineLength = 16 * 1024;

    private readonly byte[] _buffer = new byte[MaxLineLength];
    private int _start;
    private int _end;

    /// <summary>The stream read from; set anew once the connection is wrapped in TLS.</summary>
    public Stream Stream { get; set; } = stream;

    /// <summary>Whether bytes were received that no line has consumed yet.</summary>
    public bool HasBufferedData => _end > _start;

    /// <summary>The next line without its line end.</summary>
    /// <exception cref="IOException">The connection closed, or the line is too long.</exception>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                    length--;
                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
                throw new IOException($"The FTP server sent a line longer than {MaxLineLength} bytes.");
            var read = await Stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
                throw new IOException("The FTP server closed the control connection.");
            _end += read;
        }
    }

    /// <summary>A complete reply, single- or multi-line ("123-first … 123 last").</summary>
    public async ValueTask<FtpReply> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var first = await ReadLineAsync(cancellationToken);
        if (!FtpParsing.TryParseReplyLine(first, out var code, out var more, out var text))
            throw new IOException($"The FTP server sent a malformed reply: '{Printable(first)}'.");
        if (!more)
            return new FtpReply(code, text);

        var lines = new StringBuilder(text);
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (FtpParsing.TryParseReplyLine(line, out var lastCode, out var lastMore, out var lastText) && lastCode == code && !lastMore)
                return new FtpReply(code, lines.Append('\n').Append(lastText).ToString());
            lines.Append('\n').Append(line.TrimStart());
        }
    }

    private static string Printable(string value) => new([.. value.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}
