using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// Sends an event as a plain-text e-mail through the app's SMTP server (<see cref="SmtpOptions"/>): STARTTLS by
/// default (the server must offer it), the certificate checked against the host name or a pinned SHA-256, login when
/// a user name is set. Retries after connection failures and temporary (4xx) refusals; not after a refused
/// certificate, a failed login or a permanent (5xx) refusal. Never throws for a failed delivery: it is the result.
/// </summary>
public sealed class EmailSender
{
    private readonly SmtpOptions _smtp;
    private readonly Func<string, string?> _settings;
    private readonly ILogger _logger;
    private readonly byte[]? _pinned;
    private readonly ResiliencePipeline _pipeline;

    /// <param name="settings">Reads an app setting by name (for <see cref="SmtpOptions.PasswordSetting"/>).</param>
    public EmailSender(IOptions<NotificationOptions> options, Func<string, string?> settings, ILogger<EmailSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _smtp = options.Value.Smtp;
        _settings = settings;
        _logger = logger;
        _pinned = CertificatePins.Parse(_smtp.CertificateSha256);
        var builder = new ResiliencePipelineBuilder();
        if (_smtp.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _smtp.Retries,
                Delay = TimeSpan.FromSeconds(_smtp.RetryDelaySeconds),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            });
        }
        _pipeline = builder.Build();
    }

    /// <summary>Whether the app has an SMTP server to send through.</summary>
    public bool IsConfigured => _smtp.Host.Length > 0;

    public async Task<NotificationDelivery> SendAsync(IReadOnlyList<string> to, BackupNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(notification);
        var target = string.Join(", ", to);
        if (!IsConfigured)
            return new NotificationDelivery(NotificationDelivery.Email, target, false, 0, "No SMTP server is configured (setting Notifications:Smtp:Host).");

        var attempts = 0;
        string error;
        try
        {
            await _pipeline.ExecuteAsync(async token =>
            {
                attempts++;
                await SendOnceAsync(Message(to, notification), token);
            }, cancellationToken);
            _logger.LogInformation("E-mail about {Event} {NotificationId} sent to {Recipients} via {SmtpHost}:{SmtpPort} (attempt {Attempt})",
                notification.Event, notification.Id, to.Count, _smtp.Host, _smtp.Port, attempts);
            return new NotificationDelivery(NotificationDelivery.Email, target, true, attempts, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = Describe(e);
        }
        _logger.LogWarning("E-mail about {Event} {NotificationId} not sent via {SmtpHost}:{SmtpPort} after {Attempts} attempt(s): {Error}",
            notification.Event, notification.Id, _smtp.Host, _smtp.Port, attempts, error);
        return new NotificationDelivery(NotificationDelivery.Email, target, false, attempts, error);
    }

    private MimeMessage Message(IReadOnlyList<string> to, BackupNotification notification)
    {
        var message = new MimeMessage
        {
            Subject = NotificationText.Subject(notification),
            Body = new TextPart("plain") { Text = NotificationText.Body(notification) },
        };
        message.From.Add(MailboxAddress.Parse(_smtp.From));
        foreach (var address in to)
            message.To.Add(MailboxAddress.Parse(address));
        message.Headers.Add("X-BackupFunctions-Event", notification.Event);
        message.Headers.Add("X-BackupFunctions-Delivery", notification.Id);
        return message;
    }

    private async Task SendOnceAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient
        {
            Timeout = (int)TimeSpan.FromSeconds(_smtp.TimeoutSeconds).TotalMilliseconds,
            ServerCertificateValidationCallback = ValidateCertificate,
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // MailKit's Timeout covers reads and writes; the connect needs its own limit.
        deadline.CancelAfter(TimeSpan.FromSeconds(_smtp.TimeoutSeconds));
        try
        {
            await client.ConnectAsync(_smtp.Host, _smtp.Port, _smtp.Security switch
            {
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            }, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Connecting to the SMTP server took longer than {_smtp.TimeoutSeconds} s.");
        }
        if (_smtp.Username.Length > 0)
            await client.AuthenticateAsync(_smtp.Username, Password(), cancellationToken);
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }

    private string Password() =>
        _smtp.PasswordSetting.Length > 0
            ? _settings(_smtp.PasswordSetting) is { Length: > 0 } value ? value
                : throw new InvalidOperationException($"The app setting '{_smtp.PasswordSetting}' named by Notifications:Smtp:PasswordSetting is not set.")
            : _smtp.Password;

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return false;
        // A pinned certificate replaces the chain and name checks (a self-signed certificate on a relay or in tests).
        return _pinned is null
            ? errors == SslPolicyErrors.None
            : CryptographicOperations.FixedTimeEquals(SHA256.HashData(certificate.GetRawCertData()), _pinned);
    }

    private static bool IsTransient(Exception e) => e switch
    {
        SslHandshakeException or AuthenticationException or NotSupportedException or InvalidOperationException => false,
        SmtpCommandException command => (int)command.StatusCode is >= 400 and < 500,
        SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException or TimeoutException => true,
        _ => false,
    };

    private string Describe(Exception e) => e switch
    {
        SslHandshakeException => _pinned is null
            ? $"TLS with {_smtp.Host}:{_smtp.Port} failed: the server certificate is not valid for '{_smtp.Host}' (pin its SHA-256 in Notifications:Smtp:CertificateSha256 if it is the right one)."
            : $"TLS with {_smtp.Host}:{_smtp.Port} failed: the server certificate is not the one pinned in Notifications:Smtp:CertificateSha256.",
        NotSupportedException when _smtp.Security == SmtpSecurity.StartTls => $"The SMTP server {_smtp.Host}:{_smtp.Port} does not offer STARTTLS.",
        AuthenticationException => $"The SMTP server {_smtp.Host}:{_smtp.Port} refused the login of '{_smtp.Username}'.",
        ServiceNotAuthenticatedException => $"The SMTP server {_smtp.Host}:{_smtp.Port} refused to take mail on this session: {OneLine(e.Message)}",
        SmtpCommandException command => $"The SMTP server refused: {(int)command.StatusCode} {OneLine(command.Message)}",
        SocketException socket => $"Cannot reach the SMTP server {_smtp.Host}:{_smtp.Port}: {socket.SocketErrorCode}.",
        _ => OneLine(e.Message),
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
