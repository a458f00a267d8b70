using BackupFunctions.Core.Storage.Ftp;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>The reply and listing formats, table-driven: each row is a line a real server writes.</summary>
public sealed class FtpParsingTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("220 (vsFTPd 3.0.3)", true, 220, false, "(vsFTPd 3.0.3)")]
    [InlineData("211-Features:", true, 211, true, "Features:")]
    [InlineData("226", true, 226, false, "")]
    [InlineData(" AUTH TLS", false, 0, false, "")]
    [InlineData("22 short", false, 0, false, "")]
    [InlineData("2200 no separator", false, 0, false, "")]
    [InlineData("abc text", false, 0, false, "")]
    public void Reply_lines(string line, bool ok, int code, bool more, string text)
    {
        Assert.Equal(ok, FtpParsing.TryParseReplyLine(line, out var parsedCode, out var parsedMore, out var parsedText));
        if (ok)
            Assert.Equal((code, more, text), (parsedCode, parsedMore, parsedText));
    }

    [Fact]
    public async Task A_multi_line_reply_is_read_to_its_last_line()
    {
        var bytes = "211-Features:\r\n AUTH TLS\r\n211-not the end\r\n SIZE\r\n211 End\r\n200 next\r\n"u8.ToArray();
        var reader = new FtpLineReader(new MemoryStream(bytes));

        var features = await reader.ReadReplyAsync(CancellationToken.None);
        var next = await reader.ReadReplyAsync(CancellationToken.None);

        Assert.Equal(211, features.Code);
        Assert.Equal("Features:\nAUTH TLS\n211-not the end\nSIZE\nEnd", features.Text);
        Assert.Equal(new FtpReply(200, "next"), next);
    }

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||30007|)", 30007)]
    [InlineData("EPSV ok (|||6446|)", 6446)]
    public void Epsv_replies(string text, int port) => Assert.Equal(port, FtpParsing.ParseEpsvPort(text));

    [Theory]
    [InlineData("Entering Extended Passive Mode (|||0|)")]
    [InlineData("Entering Extended Passive Mode (|||70000|)")]
    [InlineData("Entering Passive Mode")]
    public void Bad_epsv_replies(string text) => Assert.Throws<FormatException>(() => FtpParsing.ParseEpsvPort(text));

    [Theory]
    [InlineData("Entering Passive Mode (127,0,0,1,117,56).", "127.0.0.1", 30008)]
    [InlineData("Entering Passive Mode 10,1,2,3,4,1", "10.1.2.3", 1025)]
    public void Pasv_replies(string text, string address, int port)
    {
        var endPoint = FtpParsing.ParsePasvEndPoint(text);
        Assert.Equal((address, port), (endPoint.Address.ToString(), endPoint.Port));
    }

    [Theory]
    [InlineData("Entering Passive Mode (127,0,0,300,117,56).")]
    [InlineData("Entering Passive Mode")]
    public void Bad_pasv_replies(string text) => Assert.Throws<FormatException>(() => FtpParsing.ParsePasvEndPoint(text));

    [Theory]
    [InlineData("\"/\" is the current directory", "/")]
    [InlineData("\"/backups/site 1\" is the current directory", "/backups/site 1")]
    [InlineData("\"/a \"\"quoted\"\" b\" created", "/a \"quoted\" b")]
    public void Pwd_replies(string text, string path) => Assert.Equal(path, FtpParsing.ParsePwd(text));

    [Theory]
    [InlineData("20261126064228", "2026-11-26T06:42:28.000+00:00")]
    [InlineData("20250310120000.5", "2025-03-10T12:00:00.500+00:00")]
    [InlineData("19991231235959.123", "1999-12-31T23:59:59.123+00:00")]
    public void Time_values_are_utc(string text, string expected)
    {
        Assert.True(FtpParsing.TryParseTimeVal(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
        Assert.Equal(TimeSpan.Zero, time.Offset);
    }

    [Theory]
    [InlineData("2025031012")]
    [InlineData("20251310120000")]
    [InlineData("not a time")]
    public void Bad_time_values(string text) => Assert.False(FtpParsing.TryParseTimeVal(text, out _));

    [Theory]
    [InlineData("type=file;size=1234;modify=20250310115959;perm=r; db.part", "db.part", false, 1234, "2025-03-10T11:59:59Z")]
    [InlineData("Type=File;Size=0;Modify=20250101000000.250;UNIX.mode=0600; .hidden", ".hidden", false, 0, "2025-01-01T00:00:00.25Z")]
    [InlineData("type=dir;modify=20250310115959; backups", "backups", true, 0, "2025-03-10T11:59:59Z")]
    [InlineData("size=5;type=file;modify=20250310115959; name with  spaces;and semicolon", "name with  spaces;and semicolon", false, 5, "2025-03-10T11:59:59Z")]
    [InlineData("type=file;size=7; no-time", "no-time", false, 7, "1970-01-01T00:00:00Z")]
    public void Mlsd_entries(string line, string name, bool isFolder, long size, string modified)
    {
        Assert.True(FtpParsing.TryParseMlsdLine(line, out var entry));
        Assert.Equal(new FtpListEntry(name, isFolder, size, DateTimeOffset.Parse(modified, System.Globalization.CultureInfo.InvariantCulture)), entry);
    }

    [Theory]
    [InlineData("type=cdir;modify=20250310115959; .")]
    [InlineData("type=pdir;modify=20250310115959; ..")]
    [InlineData("type=OS.unix=slink:/etc;modify=20250310115959; link")]
    [InlineData("type=file;size=abc; bad-size")]
    [InlineData("type=file;size=1;modify=yesterday; bad-time")]
    [InlineData("type=file;size=1;")]
    [InlineData("no facts at all")]
    public void Mlsd_lines_that_are_not_objects(string line) => Assert.False(FtpParsing.TryParseMlsdLine(line, out _));

    [Theory]
    // vsftpd: recent files have the time of day (UTC), older ones the year.
    [InlineData("-rw-------    1 1001     1001            3 Mar 10 06:42 hostname", "hostname", false, 3, "2025-03-10T06:42:00Z")]
    [InlineData("-rw-------    1 1001     1001     21003264 Nov 26 06:39 db.part", "db.part", false, 21003264, "2024-11-26T06:39:00Z")]
    [InlineData("-rw-r--r--    1 1001     1001         1234 Nov 26  2019 old", "old", false, 1234, "2019-11-26T00:00:00Z")]
    [InlineData("drwx------    2 1001     1001         4096 Mar 09 23:59 s", "s", true, 0, "2025-03-09T23:59:00Z")]
    [InlineData("-rw-------    1 1001     1001            5 Mar 10 06:42 b c (1)+ä€.json", "b c (1)+ä€.json", false, 5, "2025-03-10T06:42:00Z")]
    [InlineData("-rw-------    1 1001     1001            5 Mar 10 06:42  leading space", " leading space", false, 5, "2025-03-10T06:42:00Z")]
    [InlineData("-rw-------    1 1001     1001            5 Mar 10 06:42 .a.tmp-0123456789ab", ".a.tmp-0123456789ab", false, 5, "2025-03-10T06:42:00Z")]
    // ProFTPD/ls with owner and group names, and no group column at all.
    [InlineData("-rw-r--r--   1 backup   backup     123456 Feb 28 10:00 names", "names", false, 123456, "2025-02-28T10:00:00Z")]
    [InlineData("-rw-r--r--   1 owner         77 Mar  1 10:00 nogroup", "nogroup", false, 77, "2025-03-01T10:00:00Z")]
    public void Unix_list_entries(string line, string name, bool isFolder, long size, string modified)
    {
        Assert.True(FtpParsing.TryParseUnixListLine(line, Now, out var entry));
        Assert.Equal(new FtpListEntry(name, isFolder, size, DateTimeOffset.Parse(modified, System.Globalization.CultureInfo.InvariantCulture)), entry);
    }

    [Theory]
    [InlineData("drwxr-xr-x    3 1001     1001         4096 Mar 10 06:42 .")]
    [InlineData("drwxr-xr-x    3 0        0            4096 Mar 10 06:42 ..")]
    [InlineData("lrwxrwxrwx    1 1001     1001            7 Mar 10 06:42 link -> target")]
    [InlineData("total 12")]
    [InlineData("-rw-------    1 1001     1001            3 Foo 10 06:42 bad-month")]
    [InlineData("-rw-------    1 1001     1001            3 Feb 30 06:42 bad-day")]
    [InlineData("")]
    public void Unix_list_lines_that_are_not_objects(string line) => Assert.False(FtpParsing.TryParseUnixListLine(line, Now, out _));
}
