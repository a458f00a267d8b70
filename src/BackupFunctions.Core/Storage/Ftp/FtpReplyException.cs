namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>The server answered a command with a reply the caller did not expect; the control connection stays usable.</summary>
internal sealed class FtpReplyException : Exception
{
    public FtpReplyException(string command, FtpReply reply)
        : base($"{command}: {reply}") => (Command, Reply) = (command, reply);

    public FtpReplyException() { }

    public FtpReplyException(string message) : base(message) { }

    public FtpReplyException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The command verb (never its argument: PASS carries the password).</summary>
    public string Command { get; } = "";

    public FtpReply Reply { get; }
}
