namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>How an FTP destination protects its connections.</summary>
public enum FtpTlsMode
{
    /// <summary>Plain FTP: the password and the data travel in clear text (only for trusted networks).</summary>
    None,

    /// <summary>Explicit FTPS (RFC 4217): AUTH TLS on the control port, then PBSZ 0 and PROT P so the data connections are encrypted too.</summary>
    Explicit,
}
