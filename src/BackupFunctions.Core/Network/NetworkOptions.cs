namespace BackupFunctions.Core.Network;

/// <summary>Where the service may connect on a caller's behalf (settings section <c>Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string SectionName = "Network";

    /// <summary>
    /// CIDR ranges (<c>10.1.0.0/16, 127.0.0.0/8</c>; separated by commas or semicolons) of loopback, private or
    /// unspecified addresses that storage endpoints, SFTP/FTP hosts, webhook URLs and database hosts may use. Empty:
    /// only public addresses. A CMS database or storage account behind a private endpoint needs its subnet listed here.
    /// Link-local and cloud metadata addresses stay refused whatever is listed.
    /// </summary>
    public string AllowedRanges { get; set; } = "";
}
