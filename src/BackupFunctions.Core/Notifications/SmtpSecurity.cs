namespace BackupFunctions.Core.Notifications;

/// <summary>How the connection to the SMTP server is protected (setting <c>Notifications:Smtp:Security</c>).</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connect, then STARTTLS, which the server must offer (submission port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No TLS: allowed only for a server on the loopback interface.</summary>
    None,
}
