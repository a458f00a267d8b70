namespace BackupFunctions.Core.Notifications;

/// <summary>The SMTP server that sends e-mail notifications (settings <c>Notifications:Smtp:*</c>); no host: no e-mail.</summary>
public sealed class SmtpOptions
{
    /// <summary>The server's host name; empty turns e-mail off (configs that ask for e-mail are then refused).</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Login name; empty: no authentication.</summary>
    public string Username { get; set; } = "";

    /// <summary>The name of the app setting that holds the password (in Azure, a Key Vault reference).</summary>
    public string PasswordSetting { get; set; } = "";

    /// <summary>The password itself (an app setting too); <see cref="PasswordSetting"/> wins when both are set.</summary>
    public string Password { get; set; } = "";

    /// <summary>The sender address, e.g. <c>backups@example.com</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>
    /// SHA-256 (64 hex digits, colons allowed) of the server certificate to accept instead of the usual chain and
    /// name checks: for a server with a self-signed certificate. Empty: the certificate must be valid for <see cref="Host"/>.
    /// </summary>
    public string CertificateSha256 { get; set; } = "";

    /// <summary>Per connect and per command (1–300).</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>Further attempts after a connection failure or a temporary (4xx) refusal (0–5).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Wait before the first retry, doubled for each next one with jitter (more than 0, at most 60).</summary>
    public double RetryDelaySeconds { get; set; } = 5;

    public override string ToString() => $"SmtpOptions {{ Host = {Host}, Port = {Port}, Security = {Security}, Username = {Username}, From = {From} }}";
}
