using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>The text formats of FTP replies and listings (RFC 959, RFC 2428, RFC 3659), parsed without I/O.</summary>
internal static partial class FtpParsing
{
    /// <summary>"123 text" (last line) or "123-text" (more lines follow).</summary>
    public static bool TryParseReplyLine(string line, out int code, out bool more, out string text)
    {
        code = 0;
        more = false;
        text = "";
        if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out code) || code < 100)
            return false;
        if (line.Length == 3)
            return true;
        if (line[3] is not (' ' or '-'))
            return false;
        more = line[3] == '-';
        text = line[4..];
        return true;
    }

    /// <summary>The port of "229 Entering Extended Passive Mode (|||6446|)".</summary>
    public static int ParseEpsvPort(string text)
    {
        var match = EpsvReply().Match(text);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new FormatException($"Unexpected EPSV reply '{text}'.");
        return port;
    }

    /// <summary>Address and port of "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)".</summary>
    public static IPEndPoint ParsePasvEndPoint(string text)
    {
        var match = PasvReply().Match(text);
        if (!match.Success)
            throw new FormatException($"Unexpected PASV reply '{text}'.");
        var numbers = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (!byte.TryParse(match.Groups[i + 1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
                throw new FormatException($"Unexpected PASV reply '{text}'.");
        }
        return new IPEndPoint(new IPAddress(numbers.AsSpan(0, 4)), (numbers[4] << 8) | numbers[5]);
    }

    /// <summary>The folder of '257 "/a ""quoted"" b" is the current directory' (RFC 959: quotes doubled).</summary>
    public static string ParsePwd(string text)
    {
        var start = text.IndexOf('"', StringComparison.Ordinal);
        if (start < 0)
            throw new FormatException($"Unexpected PWD reply '{text}'.");
        var path = new System.Text.StringBuilder();
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] != '"')
            {
                path.Append(text[i]);
                continue;
            }
            if (i + 1 < text.Length && text[i + 1] == '"')
            {
                path.Append('"');
                i++;
                continue;
            }
            return path.ToString();
        }
        throw new FormatException($"Unexpected PWD reply '{text}'.");
    }

    /// <summary>The UTC time of an MDTM reply or an MLSD "modify" fact: YYYYMMDDHHMMSS[.sss].</summary>
    public static bool TryParseTimeVal(string text, out DateTimeOffset time)
    {
        string[] formats = ["yyyyMMddHHmmss", "yyyyMMddHHmmss.f", "yyyyMMddHHmmss.ff", "yyyyMMddHHmmss.fff"];
        return DateTimeOffset.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>
    /// One MLSD line (RFC 3659 §7): "fact=value;fact=value; name". Folders are type=dir; the current and parent
    /// folder entries (type=cdir/pdir) and anything that is neither a file nor a folder (links, devices) give false.
    /// </summary>
    public static bool TryParseMlsdLine(string line, out FtpListEntry? entry)
    {
        entry = null;
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || space == line.Length - 1)
            return false;
        var name = line[(space + 1)..];
        string? type = null;
        long size = 0;
        var modified = DateTimeOffset.UnixEpoch;
        foreach (var fact in line[..space].Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = fact.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var value = fact[(equals + 1)..];
            // Fact names are case-insensitive; values of "type" too (RFC 3659 §7.5.1).
            switch (fact[..equals].ToLowerInvariant())
            {
                case "type":
                    type = value.ToLowerInvariant();
                    break;
                case "size":
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out size))
                        return false;
                    break;
                case "modify":
                    if (!TryParseTimeVal(value, out modified))
                        return false;
                    break;
            }
        }
        if (type is not ("file" or "dir") || name.Contains('/', StringComparison.Ordinal))
            return false;
        entry = new FtpListEntry(name, type == "dir", type == "dir" ? 0 : size, modified);
        return true;
    }

    /// <summary>
    /// One line of a Unix-style LIST ("-rw-r--r--   1 1001 1001  1234 Nov 26 06:39 name"), as vsftpd, ProFTPD and
    /// most Unix servers write it. The time has no year when it is within six months (the year is then the one
    /// that puts it at most a day after <paramref name="now"/>) and no time of day otherwise; servers write UTC.
    /// "." and "..", links and devices give false.
    /// </summary>
    public static bool TryParseUnixListLine(string line, DateTimeOffset now, out FtpListEntry? entry)
    {
        entry = null;
        var match = UnixListLine().Match(line);
        if (!match.Success)
            return false;
        var kind = match.Groups["kind"].Value[0];
        var name = match.Groups["name"].Value;
        if (kind is not ('-' or 'd') || name is "." or ".." || name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
            return false;
        if (!long.TryParse(match.Groups["size"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            return false;
        if (!TryParseListTime(match.Groups["month"].Value, match.Groups["day"].Value, match.Groups["timeOrYear"].Value, now, out var modified))
            return false;
        entry = new FtpListEntry(name, kind == 'd', kind == 'd' ? 0 : size, modified);
        return true;
    }

    private static bool TryParseListTime(string month, string day, string timeOrYear, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        var monthNumber = Array.IndexOf(Months, month.ToLowerInvariant()) + 1;
        if (monthNumber == 0 || !int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var dayNumber))
            return false;
        try
        {
            if (timeOrYear.Contains(':', StringComparison.Ordinal))
            {
                var parts = timeOrYear.Split(':');
                var hour = int.Parse(parts[0], CultureInfo.InvariantCulture);
                var minute = int.Parse(parts[1], CultureInfo.InvariantCulture);
                time = new DateTimeOffset(now.UtcDateTime.Year, monthNumber, dayNumber, hour, minute, 0, TimeSpan.Zero);
                // "Recent" means the last six months: a date after tomorrow is from last year.
                if (time > now.AddDays(1))
                    time = time.AddYears(-1);
                return true;
            }
            time = new DateTimeOffset(int.Parse(timeOrYear, CultureInfo.InvariantCulture), monthNumber, dayNumber, 0, 0, 0, TimeSpan.Zero);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // Feb 29 of a year that has none, hour 25, …: not a listing line we understand.
            return false;
        }
    }

    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    [GeneratedRegex(@"\(\|\|\|(\d+)\|\)", RegexOptions.CultureInvariant)]
    private static partial Regex EpsvReply();

    [GeneratedRegex(@"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex PasvReply();

    // The name is everything after the single space that follows the time or year, so leading spaces survive.
    [GeneratedRegex(@"^(?<kind>[-dlbcps])[-rwxsStTl+.@]{9,10}\s+\d+\s+\S+\s+(?:\S+\s+)?(?<size>\d+)\s+(?<month>[A-Za-z]{3})\s+(?<day>\d{1,2})\s+(?<timeOrYear>\d{1,2}:\d{2}|\d{4}) (?<name>.+)$",
        RegexOptions.CultureInvariant)]
    private static partial Regex UnixListLine();
}
