namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>One server reply: the three-digit code and the text of all its lines (joined by '\n').</summary>
internal readonly record struct FtpReply(int Code, string Text)
{
    /// <summary>1xx: the command started; another reply follows when it ends.</summary>
    public bool IsPreliminary => Code is >= 100 and < 200;

    /// <summary>2xx or 3xx: done, or accepted and waiting for the next command.</summary>
    public bool IsSuccess => Code is >= 200 and < 400;

    /// <summary>4xx: the server says trying again later may work.</summary>
    public bool IsTransientFailure => Code is >= 400 and < 500;

    public override string ToString() => $"{Code} {Text.ReplaceLineEndings(" ")}";
}
